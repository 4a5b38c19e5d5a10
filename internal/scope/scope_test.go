package scope

import (
	"context"
	"slices"
	"testing"
)

func TestStartReusesAnOpenScope(t *testing.T) {
	ctx, end := Start(context.Background())
	inner, innerEnd := Start(ctx)
	if inner != ctx || From(inner) != From(ctx) {
		t.Fatal("a nested Start opened a second scope")
	}
	ran := 0
	From(ctx).OnEnd(func(context.Context) { ran++ })
	innerEnd(ctx)
	if ran != 0 {
		t.Fatal("the nested end function ended the outer scope")
	}
	end(ctx)
	end(ctx)
	if ran != 1 {
		t.Fatalf("OnEnd hook ran %d times, want once", ran)
	}
}

func TestOnEndRunsInOrderAndNotAfterEnd(t *testing.T) {
	ctx, end := Start(context.Background())
	var order []int
	for i := range 3 {
		From(ctx).OnEnd(func(context.Context) { order = append(order, i) })
	}
	end(ctx)
	if !slices.Equal(order, []int{0, 1, 2}) {
		t.Fatalf("hooks ran in order %v", order)
	}
	if From(ctx).OnEnd(func(context.Context) {}) {
		t.Fatal("OnEnd after End reported true")
	}
}

func TestLoadCreatesOnceAndNotAfterEnd(t *testing.T) {
	type k struct{}
	ctx, end := Start(context.Background())
	s, made := From(ctx), 0
	newValue := func() any { made++; return new(int) }
	first := s.Load(k{}, newValue)
	if s.Load(k{}, newValue) != first || made != 1 {
		t.Fatalf("Load created %d values, want 1", made)
	}
	end(ctx)
	type other struct{}
	if v := s.Load(other{}, newValue); v != nil {
		t.Fatalf("Load after End created %v", v)
	}
}

func TestAnnotateKeepsNotesInOrder(t *testing.T) {
	Annotate(context.Background(), "ignored", "no scope") // must not panic
	ctx, _ := Start(context.Background())
	if From(ctx).Annotations() != nil {
		t.Fatal("a new scope has annotations")
	}
	Annotate(ctx, "shed", "limit")
	Annotate(ctx, "chaos", "latency")
	got := From(ctx).Annotations()
	want := [][2]string{{"shed", "limit"}, {"chaos", "latency"}}
	if !slices.Equal(got, want) {
		t.Fatalf("Annotations = %v, want %v", got, want)
	}
}

func TestFromWithoutScope(t *testing.T) {
	if From(context.Background()) != nil || From(nil) != nil { //nolint:staticcheck // nil ctx is part of the contract
		t.Fatal("From found a scope where none was started")
	}
}
