package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	yaml "gopkg.in/yaml.v2"
)

// The engine follows Helm 3's pkg/engine: sprig without env/expandenv, Helm's own
// toYaml/fromYaml/toJson/fromJson/required/include/tpl, missingkey=zero and "<no value>"
// scrubbed from the output.
const recursionMax = 1000

// KubeVersion is .Capabilities.KubeVersion.
type KubeVersion struct {
	Version string
	Major   string
	Minor   string
}

func (k KubeVersion) String() string     { return k.Version }
func (k KubeVersion) GitVersion() string { return k.Version }

// VersionSet is .Capabilities.APIVersions.
type VersionSet []string

func (v VersionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

// Capabilities is .Capabilities.
type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions VersionSet
	HelmVersion map[string]interface{}
}

// The API groups a stock cluster serves; CRD groups come from --api-versions, as with helm template.
var builtinAPIVersions = []string{
	"v1", "apps/v1", "batch/v1", "autoscaling/v1", "autoscaling/v2", "policy/v1",
	"networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "storage.k8s.io/v1",
	"scheduling.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
	"admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "apiregistration.k8s.io/v1",
	"certificates.k8s.io/v1", "events.k8s.io/v1", "node.k8s.io/v1",
}

func toYAML(v interface{}) string {
	j, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var obj interface{}
	if err := yaml.Unmarshal(j, &obj); err != nil {
		return ""
	}
	out, err := yaml.Marshal(obj)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(out), "\n")
}

func fromYAML(s string) map[string]interface{} {
	var raw interface{}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &raw); err != nil {
		m["Error"] = err.Error()
		return m
	}
	out, err := jsonRoundTrip(raw)
	if err != nil {
		m["Error"] = err.Error()
		return m
	}
	if om, ok := out.(map[string]interface{}); ok {
		return om
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	var raw interface{}
	if err := yaml.Unmarshal([]byte(s), &raw); err != nil {
		return []interface{}{err.Error()}
	}
	out, err := jsonRoundTrip(raw)
	if err != nil {
		return []interface{}{err.Error()}
	}
	if l, ok := out.([]interface{}); ok {
		return l
	}
	return []interface{}{}
}

func toJSON(v interface{}) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func required(msg string, val interface{}) (interface{}, error) {
	if val == nil {
		return val, fmt.Errorf("%s", msg)
	}
	if s, ok := val.(string); ok && s == "" {
		return val, fmt.Errorf("%s", msg)
	}
	return val, nil
}

func funcMap() template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	extra := template.FuncMap{
		"toYaml":        toYAML,
		"fromYaml":      fromYAML,
		"fromYamlArray": fromYAMLArray,
		"toJson":        toJSON,
		"fromJson":      fromJSON,
		"required":      required,
		// Not connected to a cluster, lookup finds nothing, as under `helm template`.
		"lookup": func(string, string, string, string) (map[string]interface{}, error) {
			return map[string]interface{}{}, nil
		},
		// Replaced per render so they close over the template set.
		"include": func(string, interface{}) string { return "not implemented" },
		"tpl":     func(string, interface{}) interface{} { return "not implemented" },
	}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

func includeFun(t *template.Template, names map[string]int) func(string, interface{}) (string, error) {
	return func(name string, data interface{}) (string, error) {
		if names[name] > recursionMax {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		names[name]++
		defer func() { names[name]-- }()
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
}

func tplFun(parent *template.Template, names map[string]int) func(string, interface{}) (string, error) {
	return func(text string, vals interface{}) (string, error) {
		t, err := parent.Clone()
		if err != nil {
			return "", fmt.Errorf("cannot clone template: %v", err)
		}
		t.Option("missingkey=zero")
		t.Funcs(template.FuncMap{"include": includeFun(t, names), "tpl": tplFun(t, names)})
		t, err = t.New(parent.Name()).Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %v", text, err)
		}
		var buf strings.Builder
		if err := t.Execute(&buf, vals); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %v", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
}

// RenderOptions are the release-side inputs of a render.
type RenderOptions struct {
	ReleaseName string
	Namespace   string
	IsUpgrade   bool
	Revision    int
	KubeVersion string
	APIVersions []string
}

// Render executes every template of the chart and returns the output per template path.
func Render(c *Chart, values map[string]interface{}, o RenderOptions) (map[string]string, error) {
	chartName, _ := c.Metadata["Name"].(string)
	major, minor := kubeMajorMinor(o.KubeVersion)
	caps := Capabilities{
		KubeVersion: KubeVersion{Version: o.KubeVersion, Major: major, Minor: minor},
		APIVersions: append(VersionSet(append([]string{}, builtinAPIVersions...)), o.APIVersions...),
		HelmVersion: map[string]interface{}{"Version": "v3.16.0"},
	}
	release := map[string]interface{}{
		"Name": o.ReleaseName, "Namespace": o.Namespace, "Revision": o.Revision,
		"IsInstall": !o.IsUpgrade, "IsUpgrade": o.IsUpgrade, "Service": "Helm",
	}

	names := make([]string, 0, len(c.Templates))
	for n := range c.Templates {
		names = append(names, n)
	}
	// Deeper paths first, then by name, as Helm's sortTemplates does.
	sort.Slice(names, func(i, j int) bool {
		di, dj := strings.Count(names[i], "/"), strings.Count(names[j], "/")
		if di != dj {
			return di > dj
		}
		return names[i] < names[j]
	})

	t := template.New("gotpl").Option("missingkey=zero")
	includes := map[string]int{}
	fm := funcMap()
	fm["include"] = includeFun(t, includes)
	fm["tpl"] = tplFun(t, includes)
	t.Funcs(fm)
	for _, n := range names {
		if _, err := t.New(path.Join(chartName, n)).Parse(c.Templates[n]); err != nil {
			return nil, fmt.Errorf("parse error in %s: %v", n, err)
		}
	}

	out := map[string]string{}
	for _, n := range names {
		base := path.Base(n)
		if strings.HasPrefix(base, "_") {
			continue
		}
		full := path.Join(chartName, n)
		data := map[string]interface{}{
			"Values": values, "Release": release, "Chart": c.Metadata, "Files": c.Files,
			"Capabilities": caps,
			"Template":     map[string]interface{}{"Name": full, "BasePath": path.Join(chartName, "templates")},
		}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, full, data); err != nil {
			return nil, cleanupError(err)
		}
		out[n] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return out, nil
}

var execPrefix = regexp.MustCompile(`template: [^:]+:\d+:\d+: executing "[^"]+" at <[^>]*>: error calling \w+: `)

// cleanupError keeps the location of the failing template and drops the nesting noise, so a
// `required` failure reads as its message.
func cleanupError(err error) error {
	msg := err.Error()
	loc := ""
	if m := regexp.MustCompile(`^template: ([^:]+:\d+:\d+)`).FindStringSubmatch(msg); m != nil {
		loc = m[1]
	}
	inner := execPrefix.ReplaceAllString(msg, "")
	if loc != "" && inner != msg {
		return fmt.Errorf("%s: %s", loc, inner)
	}
	return err
}

func kubeMajorMinor(v string) (string, string) {
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) < 2 {
		return "1", "31"
	}
	return parts[0], parts[1]
}
