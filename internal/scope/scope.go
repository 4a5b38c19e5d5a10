// Package scope carries one unit of work (usually one HTTP request) through a
// context so that packages which cannot import each other can attach
// per-request state and run code when the unit ends. The middleware package
// opens a scope per request; middleware/dbsql uses it to count query shapes
// for its N+1 warning and reports when the scope ends.
package scope

import (
	"context"
	"sync"
)

type key struct{}

// Scope is per-request state shared by vigil's packages. The zero value is
// not usable; create one with [Start]. It is safe for concurrent use.
type Scope struct {
	mu     sync.Mutex
	values map[any]any
	onEnd  []func(context.Context)
	notes  [][2]string
	ended  bool
}

// Start returns a context carrying a new scope and the function that ends
// it. When ctx already carries a scope, Start returns ctx unchanged and a
// no-op end function, so stacked middleware opens one scope per request.
func Start(ctx context.Context) (context.Context, func(context.Context)) {
	if From(ctx) != nil {
		return ctx, func(context.Context) {}
	}
	s := &Scope{}
	return context.WithValue(ctx, key{}, s), s.End
}

// Enter returns a context carrying s, a Scope the caller allocated (for
// example inside its own per-request state, saving two allocations over
// [Start]); the caller must call s.End when the unit ends. A zero Scope
// is ready for Enter. When ctx already carries a scope, Enter returns ctx
// unchanged and false, and the caller must not end s.
func Enter(ctx context.Context, s *Scope) (context.Context, bool) {
	if From(ctx) != nil {
		return ctx, false
	}
	return context.WithValue(ctx, key{}, s), true
}

// From returns the scope carried by ctx, or nil.
func From(ctx context.Context) *Scope {
	if ctx == nil {
		return nil
	}
	s, _ := ctx.Value(key{}).(*Scope)
	return s
}

// Load returns the value stored under k, creating it with newValue on first
// use. Callers use an unexported key type so that packages do not collide.
// After End it still returns the stored value but creates nothing new.
func (s *Scope) Load(k any, newValue func() any) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.values[k]; ok {
		return v
	}
	if s.ended {
		return nil
	}
	if s.values == nil {
		s.values = make(map[any]any)
	}
	v := newValue()
	s.values[k] = v
	return v
}

// OnEnd registers f to run once when the scope ends, with the context given
// to End (which still holds the request span). Hooks run in registration
// order. OnEnd after End runs nothing and reports false.
func (s *Scope) OnEnd(f func(context.Context)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return false
	}
	s.onEnd = append(s.onEnd, f)
	return true
}

// End runs the registered hooks once; later calls do nothing.
func (s *Scope) End(ctx context.Context) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	hooks := s.onEnd
	s.onEnd = nil
	s.mu.Unlock()
	for _, f := range hooks {
		f(ctx)
	}
}

// Annotate records a fact about the unit of work, key=value, that the
// access log adds to the request's line: how a request was shed or which
// fault was injected into it, so that the one line per request tells the
// whole story. Keys and values must come from small fixed sets; a later
// note with the same key is added, not replaced.
func (s *Scope) Annotate(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notes = append(s.notes, [2]string{key, value})
}

// Annotations returns the notes recorded with [Scope.Annotate], in order,
// or nil. The caller must not modify the returned slice.
func (s *Scope) Annotations() [][2]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notes[:len(s.notes):len(s.notes)]
}

// Annotate records key=value on the scope carried by ctx, if any; see
// [Scope.Annotate].
func Annotate(ctx context.Context, key, value string) {
	if s := From(ctx); s != nil {
		s.Annotate(key, value)
	}
}
