package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	yaml "gopkg.in/yaml.v2"
)

// Chart is what a chart directory holds, loaded the way Helm's directory loader does
// (symbolic links followed; a dangling link is treated as absent so optional folders such
// as observability/ may not exist yet).
type Chart struct {
	Dir       string
	Metadata  map[string]interface{}
	Defaults  map[string]interface{}
	Templates map[string]string // path relative to the chart, e.g. templates/deployment.yaml
	Files     Files
}

// Chart.yaml keys as Helm exposes them on .Chart (fields of chart.Metadata).
var metadataFields = map[string]string{
	"apiVersion": "APIVersion", "name": "Name", "version": "Version", "appVersion": "AppVersion",
	"description": "Description", "type": "Type", "keywords": "Keywords", "home": "Home",
	"sources": "Sources", "maintainers": "Maintainers", "icon": "Icon", "kubeVersion": "KubeVersion",
	"annotations": "Annotations", "deprecated": "Deprecated", "dependencies": "Dependencies",
}

func loadChart(dir string) (*Chart, error) {
	c := &Chart{Dir: dir, Templates: map[string]string{}, Files: Files{}}
	meta, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, fmt.Errorf("not a chart: %v", err)
	}
	var raw map[string]interface{}
	if err := yaml.Unmarshal(meta, &raw); err != nil {
		return nil, fmt.Errorf("Chart.yaml: %v", err)
	}
	c.Metadata = map[string]interface{}{}
	for k, v := range raw {
		field, ok := metadataFields[k]
		if !ok {
			return nil, fmt.Errorf("Chart.yaml: unknown field %q", k)
		}
		c.Metadata[field] = toJSONShape(v)
	}
	for _, req := range []string{"APIVersion", "Name", "Version"} {
		if s, _ := c.Metadata[req].(string); s == "" {
			return nil, fmt.Errorf("Chart.yaml: %s is required", req)
		}
	}
	if c.Metadata["APIVersion"] != "v2" {
		return nil, fmt.Errorf("Chart.yaml: apiVersion must be v2")
	}
	if data, err := os.ReadFile(filepath.Join(dir, "values.yaml")); err == nil {
		if c.Defaults, err = parseValues(data, "values.yaml"); err != nil {
			return nil, err
		}
	} else {
		c.Defaults = map[string]interface{}{}
	}
	ignore := readHelmignore(dir)
	err = walkFollow(dir, "", func(rel string, data []byte) {
		switch {
		case ignore(rel):
		case strings.HasPrefix(rel, "templates/"):
			c.Templates[rel] = string(data)
		case rel == "Chart.yaml" || rel == "values.yaml" || rel == "values.schema.json" || strings.HasPrefix(rel, "charts/"):
		default:
			c.Files[rel] = data
		}
	})
	return c, err
}

func walkFollow(root, rel string, visit func(string, []byte)) error {
	entries, err := os.ReadDir(filepath.Join(root, rel))
	if err != nil {
		return err
	}
	for _, e := range entries {
		r := path.Join(rel, e.Name())
		full := filepath.Join(root, r)
		info, err := os.Stat(full) // follows links
		if err != nil {
			if os.IsNotExist(err) {
				continue // dangling link
			}
			return err
		}
		if info.IsDir() {
			if err := walkFollow(root, r, visit); err != nil {
				return err
			}
			continue
		}
		data, err := os.ReadFile(full)
		if err != nil {
			return err
		}
		visit(r, data)
	}
	return nil
}

// readHelmignore supports the common .helmignore forms: comments, "dir/", globs on the base
// name or the whole relative path.
func readHelmignore(dir string) func(string) bool {
	data, _ := os.ReadFile(filepath.Join(dir, ".helmignore"))
	var pats []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			pats = append(pats, line)
		}
	}
	return func(rel string) bool {
		if rel == ".helmignore" {
			return true
		}
		for _, p := range pats {
			if strings.HasSuffix(p, "/") {
				d := strings.TrimSuffix(p, "/")
				if strings.HasPrefix(rel, d+"/") || strings.Contains(rel, "/"+d+"/") {
					return true
				}
				continue
			}
			if ok, _ := path.Match(p, rel); ok {
				return true
			}
			if ok, _ := path.Match(p, path.Base(rel)); ok {
				return true
			}
		}
		return false
	}
}

// Files is .Files: the chart's non-template files, with Helm's accessors.
type Files map[string][]byte

func (f Files) Get(name string) string    { return string(f[name]) }
func (f Files) GetBytes(name string) []byte { return f[name] }

func (f Files) Lines(name string) []string {
	if f[name] == nil {
		return []string{}
	}
	return strings.Split(strings.TrimRight(string(f[name]), "\n"), "\n")
}

// Glob matches like Helm's (gobwas/glob with '/' as separator): * and ? stay within one
// path segment, ** crosses them, {a,b} alternates.
func (f Files) Glob(pattern string) Files {
	re := globRegexp(pattern)
	out := Files{}
	for name, data := range f {
		if re.MatchString(name) {
			out[name] = data
		}
	}
	return out
}

func globRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			if i+1 < len(p) && p[i+1] == '*' {
				b.WriteString(".*")
				i++
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '{':
			b.WriteString("(?:")
		case '}':
			b.WriteString(")")
		case ',':
			b.WriteString("|")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func (f Files) sortedNames() []string {
	names := make([]string, 0, len(f))
	for n := range f {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// AsConfig and AsSecrets key each file by its base name, as Helm does.
func (f Files) AsConfig() string {
	m := map[string]string{}
	for _, n := range f.sortedNames() {
		m[path.Base(n)] = string(f[n])
	}
	return toYAML(m)
}

func (f Files) AsSecrets() string {
	m := map[string]string{}
	for _, n := range f.sortedNames() {
		m[path.Base(n)] = base64.StdEncoding.EncodeToString(f[n])
	}
	return toYAML(m)
}
