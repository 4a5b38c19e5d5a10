// Package stackcheck verifies vigil's reference stack
// (examples/shop/deploy) without a Docker engine. Its tests are the
// verification; the package holds the checkers they share.
//
// # What is checked
//
//   - The compose file loads with compose-go, the loader docker compose
//     uses, and every file a service builds from or mounts exists.
//   - promtool accepts the Prometheus configuration and the rules, and the
//     alert unit tests pass.
//   - Every PromQL expression in the Grafana dashboards and the rules
//     parses with Prometheus' own parser once Grafana's variables are
//     replaced, and every metric it reads appears in a real scrape of the
//     reference app under load.
//   - A real Prometheus scraping the reference app while the load
//     generator runs answers non-zero rates for the golden signals by
//     route, the database pool and the circuit breaker state.
//
// # Running
//
// scripts/test.sh builds the pinned binaries and runs the tests with
//
//	VIGIL_PROMETHEUS_BIN  prometheus built from tools/prometheus
//	VIGIL_PROMTOOL_BIN    promtool built from tools/prometheus
//	VIGIL_REDIS_BIN       redis-server (Debian package)
//	VIGIL_REPO_ROOT       the repository (default: two directories up)
//
// A test whose binary is missing is skipped on a developer machine and
// fails when CI=true.
//
// # Why a separate module
//
// compose-go and the Prometheus module pull in hundreds of modules. Keeping
// them here keeps them out of the library's go.mod, so users of vigil never
// download them.
package stackcheck
