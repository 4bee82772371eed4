// Command tilt-check evaluates a Tiltfile with a real Starlark interpreter, recording each call of
// a Tilt builtin instead of running it, and prints the calls as JSON. The tests check what Tilt
// would build and deploy against the chart's values without Tilt or a cluster.
//
//	tilt-check [--file path=replacement]... Tiltfile
//
// read_yaml reads files relative to the Tiltfile's folder; --file swaps one for another (a test
// gives Tilt changed values to show that the Tiltfile follows them). A builtin not stubbed here
// fails the evaluation, as an unknown name would.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	starlarkjson "go.starlark.net/lib/json"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"sigs.k8s.io/yaml"
)

type call struct {
	Fn     string         `json:"fn"`
	Args   []any          `json:"args"`
	Kwargs map[string]any `json:"kwargs"`
}

// toGo turns a Starlark value into what encoding/json writes, through Starlark's own encoder.
func toGo(thread *starlark.Thread, v starlark.Value) (any, error) {
	encoded, err := starlark.Call(thread, starlarkjson.Module.Members["encode"], starlark.Tuple{v}, nil)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal([]byte(string(encoded.(starlark.String))), &out)
	return out, err
}

func main() {
	files := map[string]string{}
	args := os.Args[1:]
	for len(args) > 2 && args[0] == "--file" {
		from, to, ok := strings.Cut(args[1], "=")
		if !ok {
			fail(fmt.Errorf("--file expects path=replacement, got %q", args[1]))
		}
		files[from] = to
		args = args[2:]
	}
	if len(args) != 1 {
		fail(fmt.Errorf("usage: tilt-check [--file path=replacement]... Tiltfile"))
	}
	tiltfile := args[0]
	dir := filepath.Dir(tiltfile)
	var calls []call

	record := func(name string, result func(thread *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)) *starlark.Builtin {
		return starlark.NewBuiltin(name, func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			c := call{Fn: name, Args: []any{}, Kwargs: map[string]any{}}
			for _, a := range args {
				v, err := toGo(thread, a)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				c.Args = append(c.Args, v)
			}
			for _, kv := range kwargs {
				v, err := toGo(thread, kv[1])
				if err != nil {
					return nil, fmt.Errorf("%s(%s=): %w", name, kv[0], err)
				}
				c.Kwargs[string(kv[0].(starlark.String))] = v
			}
			calls = append(calls, c)
			if result == nil {
				return starlark.None, nil
			}
			return result(thread, args, kwargs)
		})
	}
	text := func(s string) func(*starlark.Thread, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		return func(*starlark.Thread, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			return starlark.String(s), nil
		}
	}

	readYAML := func(thread *starlark.Thread, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		if len(args) != 1 {
			return nil, fmt.Errorf("read_yaml: expected one path")
		}
		path := string(args[0].(starlark.String))
		if to, ok := files[path]; ok {
			path = to
		} else if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read_yaml: %w", err)
		}
		asJSON, err := yaml.YAMLToJSON(data)
		if err != nil {
			return nil, fmt.Errorf("read_yaml %s: %w", path, err)
		}
		return starlark.Call(thread, starlarkjson.Module.Members["decode"], starlark.Tuple{starlark.String(asJSON)}, nil)
	}

	predeclared := starlark.StringDict{
		"read_yaml":          record("read_yaml", readYAML),
		"allow_k8s_contexts": record("allow_k8s_contexts", nil),
		"k8s_yaml":           record("k8s_yaml", nil),
		"k8s_resource":       record("k8s_resource", nil),
		"local_resource":     record("local_resource", nil),
		"local":              record("local", text("<output of local>")),
		"helm":               record("helm", text("<rendered by helm>")),
		"sync": record("sync", func(_ *starlark.Thread, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			return starlark.String(fmt.Sprintf("sync %v -> %v", args.Index(0), args.Index(1))), nil
		}),
	}
	extensions := map[string]starlark.StringDict{
		"ext://restart_process": {"docker_build_with_restart": record("docker_build_with_restart", nil)},
	}
	thread := &starlark.Thread{
		Name: "Tiltfile",
		Load: func(_ *starlark.Thread, module string) (starlark.StringDict, error) {
			if ext, ok := extensions[module]; ok {
				return ext, nil
			}
			return nil, fmt.Errorf("load(%q): no stub for this extension", module)
		},
	}
	src, err := os.ReadFile(tiltfile)
	if err != nil {
		fail(err)
	}
	// Tilt's dialect: top-level loops and ifs, sets, reassigned globals.
	opts := &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, GlobalReassign: true, Recursion: true}
	if _, err := starlark.ExecFileOptions(opts, thread, tiltfile, src, predeclared); err != nil {
		if evalErr, ok := err.(*starlark.EvalError); ok {
			fail(fmt.Errorf("%s", evalErr.Backtrace()))
		}
		fail(err)
	}
	out, err := json.Marshal(calls)
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "tilt-check:", err)
	os.Exit(1)
}
