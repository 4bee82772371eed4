package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	yaml "gopkg.in/yaml.v2"
)

// Values are decoded the way Helm decodes them (sigs.k8s.io/yaml: YAML 1.1 through JSON), so
// every number in a values file is a float64 in templates, as it is under Helm.
func parseValues(data []byte, source string) (map[string]interface{}, error) {
	var raw interface{}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %v", source, err)
	}
	if raw == nil {
		return map[string]interface{}{}, nil
	}
	out, err := jsonRoundTrip(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", source, err)
	}
	m, ok := out.(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("%s: top level is not a map", source)
	}
	return m, nil
}

func readValuesFile(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseValues(data, path)
}

// jsonRoundTrip turns YAML's map[interface{}]interface{} into JSON-shaped data.
func jsonRoundTrip(v interface{}) (interface{}, error) {
	b, err := json.Marshal(toJSONShape(v))
	if err != nil {
		return nil, err
	}
	var out interface{}
	err = json.Unmarshal(b, &out)
	return out, err
}

func toJSONShape(v interface{}) interface{} {
	switch t := v.(type) {
	case map[interface{}]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, val := range t {
			m[fmt.Sprint(k)] = toJSONShape(val)
		}
		return m
	case map[string]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, val := range t {
			m[k] = toJSONShape(val)
		}
		return m
	case []interface{}:
		l := make([]interface{}, len(t))
		for i, val := range t {
			l[i] = toJSONShape(val)
		}
		return l
	default:
		return v
	}
}

// mergeMaps is Helm's merge of -f files and --set: later maps win, maps merge key by key.
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]interface{}); ok {
			if om, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(om, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// coalesce lays user values over the chart's defaults; a null in user values deletes the
// default key, as `helm install --set key=null` does.
func coalesce(user, defaults map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(defaults))
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range user {
		if v == nil {
			delete(out, k)
			continue
		}
		if vm, ok := v.(map[string]interface{}); ok {
			if dm, ok := out[k].(map[string]interface{}); ok {
				out[k] = coalesce(vm, dm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// applySet parses one --set argument (Helm's strvals subset: a.b=c, a[0]=x, x={a,b},
// comma-separated pairs, \. and \, escapes) into dst.
func applySet(dst map[string]interface{}, arg string) error {
	for _, pair := range splitUnescaped(arg, ',', true) {
		if pair == "" {
			continue
		}
		eq := indexUnescaped(pair, '=')
		if eq < 0 {
			return fmt.Errorf("--set %q: key %q has no value", arg, pair)
		}
		path, err := parseKeyPath(pair[:eq])
		if err != nil {
			return fmt.Errorf("--set %q: %v", arg, err)
		}
		if err := setPath(dst, path, typedSetValue(pair[eq+1:])); err != nil {
			return fmt.Errorf("--set %q: %v", arg, err)
		}
	}
	return nil
}

type pathElem struct {
	key   string
	index int // -1 when the element is a map key
}

func parseKeyPath(s string) ([]pathElem, error) {
	var out []pathElem
	for _, part := range splitUnescaped(s, '.', false) {
		part = strings.ReplaceAll(part, `\.`, ".")
		key, rest := part, ""
		if i := strings.IndexByte(part, '['); i >= 0 {
			key, rest = part[:i], part[i:]
		}
		if key == "" && len(out) == 0 {
			return nil, fmt.Errorf("empty key in %q", s)
		}
		if key != "" {
			out = append(out, pathElem{key: key, index: -1})
		}
		for rest != "" {
			end := strings.IndexByte(rest, ']')
			if rest[0] != '[' || end < 0 {
				return nil, fmt.Errorf("bad index in %q", s)
			}
			n, err := strconv.Atoi(rest[1:end])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("bad index in %q", s)
			}
			out = append(out, pathElem{index: n})
			rest = rest[end+1:]
		}
	}
	return out, nil
}

func setPath(dst map[string]interface{}, path []pathElem, val interface{}) error {
	var cur interface{} = dst
	setIn := func(container interface{}, e pathElem, v interface{}) (interface{}, error) {
		if e.index < 0 {
			m := container.(map[string]interface{})
			m[e.key] = v
			return m, nil
		}
		l, _ := container.([]interface{})
		for len(l) <= e.index {
			l = append(l, nil)
		}
		l[e.index] = v
		return l, nil
	}
	// Walk down, creating maps and lists as needed, then write back up (lists may grow).
	type frame struct {
		container interface{}
		elem      pathElem
	}
	var stack []frame
	for i, e := range path {
		last := i == len(path)-1
		var child interface{}
		if e.index < 0 {
			m, ok := cur.(map[string]interface{})
			if !ok {
				return fmt.Errorf("%q is not a map", e.key)
			}
			child = m[e.key]
		} else {
			l, ok := cur.([]interface{})
			if !ok && cur != nil {
				return fmt.Errorf("index [%d] on a non-list", e.index)
			}
			if e.index < len(l) {
				child = l[e.index]
			}
		}
		stack = append(stack, frame{cur, e})
		if last {
			break
		}
		next := path[i+1]
		if next.index < 0 {
			if _, ok := child.(map[string]interface{}); !ok {
				child = map[string]interface{}{}
			}
		} else if _, ok := child.([]interface{}); !ok {
			child = []interface{}{}
		}
		cur = child
	}
	v := val
	for i := len(stack) - 1; i >= 0; i-- {
		updated, err := setIn(stack[i].container, stack[i].elem, v)
		if err != nil {
			return err
		}
		v = updated
	}
	return nil
}

// typedSetValue follows Helm's --set typing: bools, null, int64, {a,b} lists, else strings.
func typedSetValue(s string) interface{} {
	if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
		var l []interface{}
		for _, item := range splitUnescaped(s[1:len(s)-1], ',', false) {
			l = append(l, typedSetValue(item))
		}
		return l
	}
	s = strings.ReplaceAll(s, `\,`, ",")
	switch strings.ToLower(s) {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	if s == "0" {
		return int64(0)
	}
	if len(s) > 1 && s[0] == '0' {
		return s
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return s
}

// splitUnescaped splits on sep outside backslash escapes (and outside {...} when braces).
func splitUnescaped(s string, sep byte, braces bool) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case braces && s[i] == '{':
			depth++
		case braces && s[i] == '}':
			depth--
		case s[i] == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func indexUnescaped(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == c {
			return i
		}
	}
	return -1
}
