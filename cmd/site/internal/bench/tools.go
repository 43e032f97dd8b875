package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// hugoTool is the nested module that pins Hugo, relative to the repository.
const hugoTool = "cmd/site/internal/bench/hugotool"

// floorPkg is startfloor, relative to the repository.
const floorPkg = "cmd/site/internal/bench/startfloor"

// repoRoot finds the pelqim module from the working directory up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(mod, []byte("module pelqim\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the pelqim repository (no go.mod with module pelqim above the working directory)")
		}
		dir = parent
	}
}

// Both generators are built as static binaries, without cgo, as Go tools'
// releases usually are (Hugo's standard edition among them): linked to the
// C library, every run of either starts about 4 ms later, the dynamic
// loader's and cgo's start-up.
var static = []string{"CGO_ENABLED=0"}

// buildStatic compiles the package pkg (relative to the repository) once,
// statically, into dir, so that every run starts the same binary: cmd/site,
// and startfloor built the same way.
func buildStatic(repo, dir, pkg string, log io.Writer) (string, error) {
	bin := filepath.Join(dir, path.Base(pkg))
	fmt.Fprintln(log, "bench: go build ./"+pkg)
	if err := goBuild(repo, static, bin, "./"+pkg); err != nil {
		return "", fmt.Errorf("build %s: %w", pkg, err)
	}
	return bin, nil
}

// hugoBinary returns the Hugo to compare with: the -hugo flag's, else the
// version pinned in the hugotool module, built once (a few minutes the first
// time) and cached under the user cache directory by version.
func hugoBinary(flag, repo string, log io.Writer) (string, error) {
	if flag != "" {
		return flag, nil
	}
	version, err := pinnedHugo(filepath.Join(repo, hugoTool, "go.mod"))
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find a cache directory for Hugo (or pass -hugo): %w", err)
	}
	bin := filepath.Join(cache, "pelqim", "hugo-"+version+"-static", "hugo")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	fmt.Fprintf(log, "bench: building Hugo %s into %s (the first time takes minutes)\n", version, bin)
	env := append([]string{"GOFLAGS=-mod=mod " + os.Getenv("GOFLAGS"), "GOWORK=off"}, static...)
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	tmp := bin + ".tmp"
	if err := goBuild(filepath.Join(repo, hugoTool), env, tmp, "github.com/gohugoio/hugo"); err != nil {
		return "", fmt.Errorf("build Hugo %s: %w", version, err)
	}
	return bin, os.Rename(tmp, bin)
}

// pinnedHugo reads Hugo's version from the tool module's requirements.
func pinnedHugo(gomod string) (string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", fmt.Errorf("find the pinned Hugo: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "require "))
		if len(fields) >= 2 && fields[0] == "github.com/gohugoio/hugo" {
			return fields[1], nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read %s: %w", gomod, err)
	}
	return "", fmt.Errorf("%s: no requirement of github.com/gohugoio/hugo", gomod)
}

func goBuild(dir string, env []string, out, pkg string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w\n%s", err, tail(string(msg), 4000))
	}
	return nil
}

// version is the first line `bin version` prints.
func version(bin string) (string, error) {
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		return "", fmt.Errorf("%s version: %w", bin, err)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line), nil
}
