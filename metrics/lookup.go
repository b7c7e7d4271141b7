package metrics

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"
)

// errTruncated is the warning Prometheus returns when a limit cut a result.
var errTruncated = errors.New("results truncated due to limit")

// series returns the label sets of the series matching any of the selectors
// with samples in [mint, maxt] (milliseconds), at most limit of them when
// limit > 0, from the tier want names or lookupTier picks, which it
// returns.
func (s *Store) series(ctx context.Context, matchers []string, mint, maxt int64, limit int, want Tier) ([]labels.Labels, annotations.Annotations, Tier, error) {
	tier := s.lookupTier(want, mint)
	if len(matchers) == 0 {
		return nil, nil, tier, &queryError{typ: errBadData, err: errors.New("no match[] parameter provided")}
	}
	sets, err := s.parseSelectors(matchers)
	if err != nil {
		return nil, nil, tier, err
	}
	q, err := s.queryable(tier).Querier(mint, maxt)
	if err != nil {
		return nil, nil, tier, &queryError{typ: errInternal, err: err}
	}
	defer q.Close()

	hints := &storage.SelectHints{Start: mint, End: maxt, Func: "series", Limit: hintLimit(limit)}
	var set storage.SeriesSet
	if len(sets) == 1 {
		set = q.Select(ctx, false, hints, sets[0]...)
	} else {
		// Merging deduplicates series several selectors match; it needs
		// each input sorted.
		parts := make([]storage.SeriesSet, len(sets))
		for i, ms := range sets {
			parts[i] = q.Select(ctx, true, hints, ms...)
		}
		set = storage.NewMergeSeriesSet(parts, 0, storage.ChainedSeriesMerge)
	}
	out := []labels.Labels{}
	var warnings annotations.Annotations
	for set.Next() {
		if err := ctx.Err(); err != nil {
			return nil, nil, tier, execError(err)
		}
		// Labels are copied: the querier's memory is released on Close.
		out = append(out, set.At().Labels().Copy())
		if limit > 0 && len(out) > limit {
			out = out[:limit]
			warnings.Add(errTruncated)
			break
		}
	}
	if err := set.Err(); err != nil {
		return nil, nil, tier, execError(err)
	}
	warnings.Merge(set.Warnings())
	return out, warnings, tier, nil
}

// labelNames returns the sorted label names over the series matching any of
// the selectors (all series when none) with samples in [mint, maxt], from
// the tier want names or lookupTier picks, which it returns.
func (s *Store) labelNames(ctx context.Context, matchers []string, mint, maxt int64, want Tier) ([]string, annotations.Annotations, Tier, error) {
	return s.collectLabels(matchers, mint, maxt, want, func(q storage.Querier, ms []*labels.Matcher) ([]string, annotations.Annotations, error) {
		return q.LabelNames(ctx, nil, ms...)
	})
}

// labelValues returns the sorted values of the label name over the series
// matching any of the selectors (all series when none) with samples in
// [mint, maxt], from the tier want names or lookupTier picks, which it
// returns.
func (s *Store) labelValues(ctx context.Context, name string, matchers []string, mint, maxt int64, want Tier) ([]string, annotations.Annotations, Tier, error) {
	if !model.UTF8Validation.IsValidLabelName(name) {
		return nil, nil, s.lookupTier(want, mint), &queryError{typ: errBadData, err: fmt.Errorf("invalid label name: %q", name)}
	}
	return s.collectLabels(matchers, mint, maxt, want, func(q storage.Querier, ms []*labels.Matcher) ([]string, annotations.Annotations, error) {
		return q.LabelValues(ctx, name, nil, ms...)
	})
}

// collectLabels runs get for each selector over [mint, maxt] and returns
// the union of what it found, sorted, with the warnings of every call, on
// the tier want names or lookupTier picks, which it returns.
func (s *Store) collectLabels(matchers []string, mint, maxt int64, want Tier, get func(storage.Querier, []*labels.Matcher) ([]string, annotations.Annotations, error)) ([]string, annotations.Annotations, Tier, error) {
	tier := s.lookupTier(want, mint)
	sets, err := s.optionalSelectors(matchers)
	if err != nil {
		return nil, nil, tier, err
	}
	q, err := s.queryable(tier).Querier(mint, maxt)
	if err != nil {
		return nil, nil, tier, &queryError{typ: errInternal, err: err}
	}
	defer q.Close()

	var warnings annotations.Annotations
	seen := map[string]struct{}{}
	for _, ms := range sets {
		found, ws, err := get(q, ms)
		if err != nil {
			return nil, nil, tier, execError(err)
		}
		warnings.Merge(ws)
		for _, v := range found {
			seen[v] = struct{}{}
		}
	}
	return sortedKeys(seen), warnings, tier, nil
}

// optionalSelectors parses selectors where none means "every series": one
// empty matcher set.
func (s *Store) optionalSelectors(matchers []string) ([][]*labels.Matcher, error) {
	if len(matchers) == 0 {
		return [][]*labels.Matcher{nil}, nil
	}
	return s.parseSelectors(matchers)
}

// hintLimit asks the storage for one more result than the limit, so that a
// truncation can be told apart from an exact fit.
func hintLimit(limit int) int {
	if limit > 0 {
		return limit + 1
	}
	return 0
}

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
