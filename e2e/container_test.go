package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// The Dockerfile and compose.yaml are not built or run in CI: CI has no
// Docker daemon and cannot pull base images. These tests check, without
// Docker, the parts of them that matter: a static non-root build of
// ./cmd/opensts, a data volume that is the server's data dir, and two
// compose nodes sharing one PostgreSQL store and one master key, each with
// a /readyz health check. The environment both files give the server is
// run through the real binary's --print-config, so a misspelt variable
// fails here.

// dockerInstr is one Dockerfile instruction, continuation lines joined.
type dockerInstr struct{ cmd, args string }

// dockerStage is one FROM stage.
type dockerStage struct {
	from, name string
	instrs     []dockerInstr
}

func parseDockerfile(t *testing.T, text string) []dockerStage {
	t.Helper()
	var stages []dockerStage
	var line string
	for _, raw := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(raw)
		if line == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			line += strings.TrimSuffix(trimmed, "\\") + " "
			continue
		}
		line += trimmed
		cmd, args, _ := strings.Cut(line, " ")
		line = ""
		in := dockerInstr{cmd: strings.ToUpper(cmd), args: strings.Join(strings.Fields(args), " ")}
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			st := dockerStage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			}
			stages = append(stages, st)
			continue
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile: %s before FROM", in.cmd)
		}
		stages[len(stages)-1].instrs = append(stages[len(stages)-1].instrs, in)
	}
	return stages
}

func (s dockerStage) all(cmd string) []string {
	var out []string
	for _, in := range s.instrs {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// env is the stage's ENV, in either form (k=v ... or k v).
func (s dockerStage) env() map[string]string {
	env := map[string]string{}
	for _, a := range s.all("ENV") {
		if !strings.Contains(strings.Fields(a)[0], "=") {
			k, v, _ := strings.Cut(a, " ")
			env[k] = v
			continue
		}
		for _, kv := range strings.Fields(a) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = strings.Trim(v, `"`)
		}
	}
	return env
}

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestContainer_Dockerfile(t *testing.T) {
	t.Parallel()
	stages := parseDockerfile(t, readRepoFile(t, "Dockerfile"))
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a build stage and a runtime stage", len(stages))
	}
	build, run := stages[0], stages[len(stages)-1]

	// The build: Go of go.mod's version, CGO off, ./cmd/opensts.
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(readRepoFile(t, "go.mod"))
	if !strings.HasPrefix(build.from, "golang:"+goVersion[1]) {
		t.Errorf("build stage FROM %s, want golang:%s (go.mod)", build.from, goVersion[1])
	}
	if build.name == "" {
		t.Error("the build stage has no name for COPY --from")
	}
	var binary string
	for _, r := range build.all("RUN") {
		if strings.Contains(r, "go build") {
			if !strings.Contains(r, "CGO_ENABLED=0") || !strings.HasSuffix(r, " ./cmd/opensts") {
				t.Errorf("RUN %s: want CGO_ENABLED=0 go build … ./cmd/opensts", r)
			}
			if m := regexp.MustCompile(`-o (\S+)`).FindStringSubmatch(r); m != nil {
				binary = m[1]
			}
		}
	}
	if binary == "" {
		t.Fatal("the build stage has no `go build -o <file>`")
	}
	// CGO_ENABLED=0 builds only because the SQLite driver is pure Go.
	if gomod := readRepoFile(t, "go.mod"); !strings.Contains(gomod, "modernc.org/sqlite ") || strings.Contains(gomod, "mattn/go-sqlite3") {
		t.Error("go.mod: want the pure-Go modernc.org/sqlite and no cgo SQLite driver, or CGO_ENABLED=0 breaks the store")
	}

	// The runtime: not the Go image, the binary copied from the build, a
	// non-root user, the data dir a volume it owns.
	if strings.HasPrefix(run.from, "golang") {
		t.Errorf("runtime stage FROM %s: the image would carry the Go toolchain", run.from)
	}
	var entry string
	for _, c := range run.all("COPY") {
		if strings.Contains(c, "--from="+build.name) && strings.Contains(c, binary) {
			entry = strings.Fields(c)[len(strings.Fields(c))-1]
		}
	}
	if entry == "" {
		t.Fatalf("runtime stage does not COPY --from=%s %s", build.name, binary)
	}
	var ep []string
	if eps := run.all("ENTRYPOINT"); len(eps) != 1 || json.Unmarshal([]byte(eps[0]), &ep) != nil || len(ep) == 0 || ep[0] != entry {
		t.Errorf("ENTRYPOINT %q, want [%q] (exec form)", eps, entry)
	}
	users := run.all("USER")
	if len(users) == 0 {
		t.Fatal("runtime stage has no USER: the server would run as root")
	}
	user := strings.Split(users[len(users)-1], ":")[0]
	if user == "root" || user == "0" {
		t.Errorf("USER %s, want a non-root user", users[len(users)-1])
	}
	env := run.env()
	dataDir := env["OPENSTS_DATA_DIR"]
	if vols := run.all("VOLUME"); dataDir == "" || len(vols) != 1 || strings.Trim(vols[0], `[]"`) != dataDir {
		t.Errorf("VOLUME %q and OPENSTS_DATA_DIR %q: want the data dir to be the volume", vols, dataDir)
	}
	if runs := strings.Join(run.all("RUN"), " "); !strings.Contains(runs, "chown "+user) || !strings.Contains(runs, dataDir) {
		t.Errorf("runtime RUN %q: want %s created and owned by %s", runs, dataDir, user)
	}
	_, port, _ := strings.Cut(env["OPENSTS_LISTEN"], ":")
	if ex := run.all("EXPOSE"); len(ex) != 1 || ex[0] != port {
		t.Errorf("EXPOSE %q, want the listen port %s", ex, port)
	}
	if hc := run.all("HEALTHCHECK"); len(hc) != 1 || !strings.Contains(hc[0], "http://127.0.0.1:"+port+"/readyz") {
		t.Errorf("HEALTHCHECK %q, want GET http://127.0.0.1:%s/readyz", hc, port)
	}
	cfg := printConfig(t, env)
	for flag, want := range map[string]string{"data-dir": dataDir, "listen": env["OPENSTS_LISTEN"], "insecure-http": "true"} {
		if got := cfg[flag]; got != want+" # env" {
			t.Errorf("the image's environment gives --%s %q, want %q from the environment", flag, got, want)
		}
	}

	ignore := readRepoFile(t, ".dockerignore")
	for _, p := range []string{".git", "opensts-data", "opensts.env"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(p) + `$`).MatchString(ignore) {
			t.Errorf(".dockerignore does not exclude %s", p)
		}
	}
}

// printConfig runs the real binary's `server --print-config` with env only
// (no OPENSTS_* of the test's) and returns flag -> `value # source`.
func printConfig(t *testing.T, env map[string]string) map[string]string {
	t.Helper()
	cmd := exec.Command(opensts(t), "server", "--print-config")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("opensts server --print-config: %v\n%s", err, out)
	}
	cfg := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*)\s*=\s*"?(.*?)"?\s+#\s*(\w+)$`).FindAllStringSubmatch(string(out), -1) {
		cfg[m[1]] = m[2] + " # " + m[3]
	}
	return cfg
}

// yamlNode is a value of the YAML subset compose.yaml is written in: block
// mappings, block sequences, JSON-style flow sequences and scalars.
type yamlNode struct {
	scalar string
	isMap  bool
	m      map[string]*yamlNode
	seq    []*yamlNode
}

func (n *yamlNode) get(path ...string) *yamlNode {
	for _, p := range path {
		if n == nil || !n.isMap {
			return nil
		}
		n = n.m[p]
	}
	return n
}

func (n *yamlNode) str(path ...string) string {
	if v := n.get(path...); v != nil {
		return v.scalar
	}
	return ""
}

func (n *yamlNode) strs(path ...string) []string {
	var out []string
	if v := n.get(path...); v != nil {
		for _, e := range v.seq {
			out = append(out, e.scalar)
		}
	}
	return out
}

type yamlLine struct {
	indent int
	text   string
	no     int
}

func parseYAML(text string) (*yamlNode, error) {
	var lines []yamlLine
	for i, raw := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(raw)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.Contains(raw, "\t") {
			return nil, fmt.Errorf("line %d: tab", i+1)
		}
		lines = append(lines, yamlLine{indent: len(raw) - len(strings.TrimLeft(raw, " ")), text: trimmed, no: i + 1})
	}
	n, rest, err := parseYAMLBlock(lines, 0)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("line %d: unexpected indentation", rest[0].no)
	}
	return n, err
}

func parseYAMLBlock(lines []yamlLine, indent int) (*yamlNode, []yamlLine, error) {
	n := &yamlNode{}
	for len(lines) > 0 && lines[0].indent == indent {
		l := lines[0]
		if item, ok := strings.CutPrefix(l.text, "- "); ok {
			if n.isMap {
				return nil, nil, fmt.Errorf("line %d: sequence item in a mapping", l.no)
			}
			v, err := yamlScalar(item, l.no)
			if err != nil {
				return nil, nil, err
			}
			n.seq = append(n.seq, v)
			lines = lines[1:]
			continue
		}
		k, v, ok := strings.Cut(l.text, ":")
		if !ok || n.seq != nil {
			return nil, nil, fmt.Errorf("line %d: want key: value", l.no)
		}
		if n.m == nil {
			n.isMap, n.m = true, map[string]*yamlNode{}
		}
		if _, dup := n.m[k]; dup {
			return nil, nil, fmt.Errorf("line %d: duplicate key %s", l.no, k)
		}
		lines = lines[1:]
		if v = strings.TrimSpace(v); v != "" {
			s, err := yamlScalar(v, l.no)
			if err != nil {
				return nil, nil, err
			}
			n.m[k] = s
			continue
		}
		if len(lines) > 0 && lines[0].indent > indent {
			child, rest, err := parseYAMLBlock(lines, lines[0].indent)
			if err != nil {
				return nil, nil, err
			}
			n.m[k], lines = child, rest
			continue
		}
		n.m[k] = &yamlNode{}
	}
	return n, lines, nil
}

func yamlScalar(v string, no int) (*yamlNode, error) {
	switch {
	case strings.HasPrefix(v, "["):
		var items []string
		if err := json.Unmarshal([]byte(v), &items); err != nil {
			return nil, fmt.Errorf("line %d: flow sequence %s: %v", no, v, err)
		}
		n := &yamlNode{}
		for _, s := range items {
			n.seq = append(n.seq, &yamlNode{scalar: s})
		}
		return n, nil
	case strings.HasPrefix(v, `"`):
		var s string
		if err := json.Unmarshal([]byte(v), &s); err != nil {
			return nil, fmt.Errorf("line %d: %s: %v", no, v, err)
		}
		return &yamlNode{scalar: s}, nil
	case strings.ContainsAny(v[:1], "{&*!|>'"):
		return nil, fmt.Errorf("line %d: %s is outside the YAML subset this test reads", no, v)
	}
	return &yamlNode{scalar: v}, nil
}

func TestContainer_Compose(t *testing.T) {
	t.Parallel()
	doc, err := parseYAML(readRepoFile(t, "compose.yaml"))
	if err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	stages := parseDockerfile(t, readRepoFile(t, "Dockerfile"))
	imageEnv := stages[len(stages)-1].env()
	services := doc.get("services")
	if services == nil || !services.isMap {
		t.Fatal("compose.yaml has no services")
	}
	var db string
	var nodes []string
	for name, s := range services.m {
		switch {
		case s.str("build") == ".":
			nodes = append(nodes, name)
		case strings.HasPrefix(s.str("image"), "postgres:"):
			db = name
		}
	}
	if db == "" || len(nodes) != 2 {
		t.Fatalf("services: postgres %q and OpenSTS nodes %q, want one PostgreSQL and two nodes built from the Dockerfile", db, nodes)
	}
	pg := services.m[db]
	if test := strings.Join(pg.strs("healthcheck", "test"), " "); !strings.Contains(test, "pg_isready") {
		t.Errorf("%s healthcheck %q, want pg_isready (the nodes wait for it)", db, test)
	}
	if p := pg.get("ports"); p != nil {
		t.Errorf("%s publishes ports %v: the database is for the nodes only", db, p.seq)
	}

	stores, keys := map[string]bool{}, map[string]bool{}
	hostPorts := map[string]bool{}
	for _, name := range nodes {
		s := services.m[name]
		env := map[string]string{}
		for k, v := range imageEnv {
			env[k] = v
		}
		if e := s.get("environment"); e != nil {
			for k, v := range e.m {
				env[k] = v.scalar
			}
		}
		if _, ok := env["OPENSTS_MASTER_KEY"]; ok {
			t.Errorf("%s: OPENSTS_MASTER_KEY written in compose.yaml; it belongs in the env file", name)
		}
		files := s.strs("env_file")
		keys[strings.Join(files, ",")] = true
		if len(files) != 1 || files[0] != "opensts.env" {
			t.Errorf("%s env_file %q, want [opensts.env] (the shared master key)", name, files)
		}

		store := env["OPENSTS_STORE"]
		stores[store] = true
		u, err := url.Parse(store)
		if err != nil || u.Scheme != "postgres" || u.Hostname() != db {
			t.Errorf("%s: OPENSTS_STORE %q, want postgres://…@%s", name, store, db)
		} else {
			pw, _ := u.User.Password()
			pge := pg.get("environment")
			if u.User.Username() != pge.str("POSTGRES_USER") || pw != pge.str("POSTGRES_PASSWORD") || strings.TrimPrefix(u.Path, "/") != pge.str("POSTGRES_DB") {
				t.Errorf("%s: OPENSTS_STORE %q does not match %s's POSTGRES_USER/PASSWORD/DB", name, store, db)
			}
		}
		if s.str("depends_on", db, "condition") != "service_healthy" {
			t.Errorf("%s: want depends_on %s condition service_healthy", name, db)
		}

		dataDir := env["OPENSTS_DATA_DIR"]
		vols := s.strs("volumes")
		if len(vols) != 1 || !strings.HasSuffix(vols[0], ":"+dataDir) || doc.get("volumes", strings.Split(vols[0], ":")[0]) == nil {
			t.Errorf("%s volumes %q, want one named volume on the data dir %s", name, vols, dataDir)
		}

		_, port, _ := strings.Cut(env["OPENSTS_LISTEN"], ":")
		ports := s.strs("ports")
		if len(ports) != 1 || !strings.HasPrefix(ports[0], "127.0.0.1:") || !strings.HasSuffix(ports[0], ":"+port) {
			t.Errorf("%s ports %q, want 127.0.0.1:<host port>:%s (plain HTTP stays on the host's loopback)", name, ports, port)
		} else {
			hostPorts[strings.Split(ports[0], ":")[1]] = true
		}
		if test := strings.Join(s.strs("healthcheck", "test"), " "); !strings.Contains(test, "http://127.0.0.1:"+port+"/readyz") {
			t.Errorf("%s healthcheck %q, want /readyz on port %s", name, test, port)
		}

		cfg := printConfig(t, env)
		for flag, want := range map[string]string{"data-dir": dataDir, "listen": env["OPENSTS_LISTEN"]} {
			if got := cfg[flag]; got != want+" # env" {
				t.Errorf("%s: the environment gives --%s %q, want %q", name, flag, got, want)
			}
		}
		if !strings.HasPrefix(cfg["store"], "postgres://") {
			t.Errorf("%s: the environment gives --store %q", name, cfg["store"])
		}
	}
	if len(stores) != 1 || len(keys) != 1 {
		t.Errorf("the nodes use %d store URLs and %d env files, want one of each", len(stores), len(keys))
	}
	if len(hostPorts) != 2 {
		t.Errorf("the nodes publish host ports %v, want two distinct", hostPorts)
	}
}
