// chart-check renders a Helm chart with the engine Helm uses (Go text/template + sprig) and
// emits the merged values and every manifest, for the validation and policy tests in
// charts/test. It mirrors `helm template` for the features this repository's chart uses:
// .Values .Release .Chart .Capabilities .Files .Template, include, tpl, required, toYaml,
// fromYaml, -f values files and --set. Schema validation of the merged values is done by the
// caller (ajv, JSON Schema draft 7, as Helm does) so its messages name the offending key.
//
//	chart-check [-f values.yaml]... [--set k=v]... [--name r] [--namespace ns]
//	            [--api-versions group/version]... [--output json|yaml|values] CHART_DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/Masterminds/semver"
	yaml "gopkg.in/yaml.v2"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// Manifest is one YAML document of the output.
type Manifest struct {
	Source string                 `json:"source"`
	Object map[string]interface{} `json:"object"`
}

// Result is the JSON output.
type Result struct {
	Values    map[string]interface{} `json:"values"`
	Manifests []Manifest             `json:"manifests"`
	Notes     string                 `json:"notes"`
	Error     string                 `json:"error,omitempty"`
}

var docSep = regexp.MustCompile(`(?m)^---[ \t]*(#.*)?$`)

func main() {
	var files, sets, apis multi
	fs := flag.NewFlagSet("chart-check", flag.ExitOnError)
	fs.Var(&files, "f", "values file (repeatable)")
	fs.Var(&files, "values", "values file (repeatable)")
	fs.Var(&sets, "set", "key=value (repeatable)")
	fs.Var(&apis, "api-versions", "extra API version the cluster serves (repeatable)")
	name := fs.String("name", "stampede", "release name")
	ns := fs.String("namespace", "default", "release namespace")
	kube := fs.String("kube-version", "v1.31.0", "Kubernetes version for .Capabilities")
	upgrade := fs.Bool("is-upgrade", false, "render as an upgrade")
	output := fs.String("output", "json", "json | yaml | values")
	args := os.Args[1:]
	// Allow the chart directory before or after the flags, as helm does.
	var chartDir string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		chartDir, args = args[0], args[1:]
	}
	_ = fs.Parse(args)
	if chartDir == "" {
		chartDir = fs.Arg(0)
	}
	if chartDir == "" {
		fmt.Fprintln(os.Stderr, "usage: chart-check [flags] CHART_DIR")
		os.Exit(64)
	}

	res, err := run(chartDir, files, sets, RenderOptions{
		ReleaseName: *name, Namespace: *ns, IsUpgrade: *upgrade, Revision: 1,
		KubeVersion: *kube, APIVersions: apis,
	})
	switch *output {
	case "json":
		if err != nil {
			res.Error = err.Error()
		}
		_ = json.NewEncoder(os.Stdout).Encode(res)
	case "values":
		if res.Values != nil {
			_ = json.NewEncoder(os.Stdout).Encode(res.Values)
		}
	case "yaml":
		for _, m := range res.Manifests {
			fmt.Printf("---\n# Source: %s\n%s\n", m.Source, toYAML(m.Object))
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(chartDir string, files, sets []string, o RenderOptions) (*Result, error) {
	res := &Result{Manifests: []Manifest{}}
	c, err := loadChart(chartDir)
	if err != nil {
		return res, err
	}
	user := map[string]interface{}{}
	for _, f := range files {
		v, err := readValuesFile(f)
		if err != nil {
			return res, err
		}
		user = mergeMaps(user, v)
	}
	for _, s := range sets {
		if err := applySet(user, s); err != nil {
			return res, err
		}
	}
	if err := checkKubeVersion(c, o.KubeVersion); err != nil {
		return res, err
	}
	// --set integers are int64 under Helm; values files give float64. Keep them as they are.
	res.Values = coalesce(user, c.Defaults)
	rendered, err := Render(c, res.Values, o)
	if err != nil {
		return res, err
	}
	paths := make([]string, 0, len(rendered))
	for p := range rendered {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	chartName, _ := c.Metadata["Name"].(string)
	for _, p := range paths {
		if strings.HasSuffix(p, "NOTES.txt") {
			res.Notes = rendered[p]
			continue
		}
		source := chartName + "/" + p
		for i, doc := range docSep.Split(rendered[p], -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			var raw interface{}
			if err := yaml.Unmarshal([]byte(doc), &raw); err != nil {
				return res, fmt.Errorf("%s (document %d) is not valid YAML: %v\n%s", source, i, err, numbered(doc))
			}
			if raw == nil {
				continue // only comments
			}
			obj, ok := toJSONShape(raw).(map[string]interface{})
			if !ok {
				return res, fmt.Errorf("%s (document %d) is not a map:\n%s", source, i, numbered(doc))
			}
			if obj["apiVersion"] == nil || obj["kind"] == nil {
				return res, fmt.Errorf("%s (document %d) has no apiVersion or kind:\n%s", source, i, numbered(doc))
			}
			res.Manifests = append(res.Manifests, Manifest{Source: source, Object: obj})
		}
	}
	return res, nil
}

func numbered(doc string) string {
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		lines[i] = fmt.Sprintf("%4d | %s", i+1, l)
	}
	return strings.Join(lines, "\n")
}

// checkKubeVersion applies Chart.yaml's kubeVersion constraint, as helm install does.
func checkKubeVersion(c *Chart, kube string) error {
	constraint, _ := c.Metadata["KubeVersion"].(string)
	if constraint == "" {
		return nil
	}
	cons, err := semver.NewConstraint(constraint)
	if err != nil {
		return fmt.Errorf("Chart.yaml: invalid kubeVersion %q: %v", constraint, err)
	}
	v, err := semver.NewVersion(kube)
	if err != nil {
		return fmt.Errorf("invalid --kube-version %q: %v", kube, err)
	}
	if !cons.Check(v) {
		return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", constraint, kube)
	}
	return nil
}
