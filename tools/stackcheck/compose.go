package stackcheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// LoadCompose loads the compose file at path the way docker compose does
// (interpolation, normalization, consistency checks), with an empty
// environment so that the result does not depend on the caller's.
func LoadCompose(ctx context.Context, path string) (*types.Project, error) {
	opts, err := cli.NewProjectOptions([]string{path},
		cli.WithWorkingDirectory(filepath.Dir(path)),
		cli.WithEnv(nil),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		return nil, fmt.Errorf("stackcheck: compose options: %w", err)
	}
	p, err := opts.LoadProject(ctx)
	if err != nil {
		return nil, fmt.Errorf("stackcheck: load %s: %w", path, err)
	}
	return p, nil
}

// Reference is a file or directory a compose service needs from the host.
type Reference struct {
	Service string
	Kind    string // "build context", "dockerfile" or "bind mount"
	Path    string
}

// References lists, sorted by service, the build contexts, Dockerfiles and
// bind-mount sources of p's services, as absolute paths. p must have been
// loaded with resolved paths, as [LoadCompose] does.
func References(p *types.Project) []Reference {
	var refs []Reference
	for name, s := range p.Services {
		if b := s.Build; b != nil {
			refs = append(refs, Reference{name, "build context", b.Context})
			if b.Dockerfile != "" && b.DockerfileInline == "" {
				df := b.Dockerfile
				if !filepath.IsAbs(df) {
					df = filepath.Join(b.Context, df)
				}
				refs = append(refs, Reference{name, "dockerfile", df})
			}
		}
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeBind {
				refs = append(refs, Reference{name, "bind mount", v.Source})
			}
		}
	}
	sort.Slice(refs, func(i, j int) bool {
		if refs[i].Service != refs[j].Service {
			return refs[i].Service < refs[j].Service
		}
		return refs[i].Path < refs[j].Path
	})
	return refs
}

// MissingReferences returns the references of p whose path does not exist.
func MissingReferences(p *types.Project) []Reference {
	var missing []Reference
	for _, r := range References(p) {
		if _, err := os.Stat(r.Path); err != nil {
			missing = append(missing, r)
		}
	}
	return missing
}
