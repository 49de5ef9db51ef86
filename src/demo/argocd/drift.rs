//! The fleet drift of the demo story (issue 14): what changed behind the apps' backs and when.
//!
//! - A commit to the shared chart repository (`platform-charts`, `charts/redis`) by Alice some
//!   minutes before launch moves the second source of six production apps that sync by hand:
//!   their `sync.revisions` move, their history stays at the old commit, and their diff is the
//!   redis ConfigMap's `maxmemory-policy` and the redis StatefulSet's image tag (the old chart's
//!   metrics Service is no longer rendered: it waits to be pruned).
//! - Someone hand-scaled two Deployments with `kubectl scale` (live drift at the same revision).
//! - `search` (git moved to v4.2.0, nobody synced) also had its Elasticsearch credentials
//!   Secret edited with `kubectl edit`.
//! - `translations` cannot be compared: its remote kustomize base's host does not resolve.
//!
//! Each drift lasts until the app is synced again (a deploy started after it), as in Argo CD.

use super::apps::App;
use crate::demo::clock::Offset;
use crate::demo::scenario::World;
use chrono::TimeDelta;

/// The shared chart repository (a second source of the apps in [`CHART_APPS`]).
pub const SHARED_CHARTS_REPO: &str = "https://github.com/example-org/platform-charts";
pub const SHARED_CHART_PATH: &str = "charts/redis";
pub const SHARED_CHARTS_BRANCH: &str = "main";
/// The commit that bumped the shared redis chart.
pub const CHART_BUMP: &str = "4f2a1c9e7b3d58a06c1e2f9d4b7a3c8e5f1d2a6b";
/// The commit every app was deployed with before it.
pub const CHART_BEFORE: &str = "b81d0e3f5c7a92e4d6f8a1c3e5b7d9f0a2c4e6b8";
/// Services whose app renders the shared redis chart (they sync by hand).
pub const CHART_APPS: [&str; 6] = [
    "sessions",
    "rate-limiter",
    "feature-store",
    "wishlist",
    "promotions",
    "loyalty",
];
/// Services whose Deployment someone scaled by hand.
pub const HAND_SCALED: [&str; 2] = ["catalog", "reviews"];
/// The service whose Secret was edited by hand.
pub const SECRET_EDITED: &str = "search";
/// The Secret, and the key that was changed.
pub const EDITED_SECRET_KEY: &str = "ES_PASSWORD";
/// The service whose app cannot be compared.
pub const COMPARISON_ERROR_APP: &str = "translations";

/// Redis as each chart commit renders it (chart 18.0.4, then 18.1.0).
pub struct RedisChart {
    pub tag: &'static str,
    pub policy: &'static str,
    /// The old chart renders a metrics Service the new one dropped.
    pub metrics_service: bool,
}

pub const REDIS_BEFORE: RedisChart = RedisChart {
    tag: "7.2.4-debian-12-r9",
    policy: "volatile-lru",
    metrics_service: true,
};
pub const REDIS_AFTER: RedisChart = RedisChart {
    tag: "7.2.5-debian-12-r4",
    policy: "allkeys-lru",
    metrics_service: false,
};

pub fn chart_bump_at() -> Offset {
    -TimeDelta::minutes(14)
}

/// When the chart commit before the bump was made.
pub fn chart_before_at() -> Offset {
    -TimeDelta::days(41) - TimeDelta::minutes(200)
}

pub fn hand_scale_at() -> Offset {
    -TimeDelta::minutes(9)
}

pub fn secret_edit_at() -> Offset {
    -TimeDelta::minutes(18)
}

pub fn comparison_error_since() -> Offset {
    -TimeDelta::minutes(6)
}

pub fn uses_shared_chart(app: &App) -> bool {
    app.def.shared_chart
}

/// The shared chart's commit the branch points at, at `at`.
pub fn chart_commit_at(at: Offset) -> &'static str {
    if at >= chart_bump_at() {
        CHART_BUMP
    } else {
        CHART_BEFORE
    }
}

pub fn chart_of(commit: &str) -> &'static RedisChart {
    if commit == CHART_BUMP {
        &REDIS_AFTER
    } else {
        &REDIS_BEFORE
    }
}

/// Was the app synced (a deploy started) at or after `since`? That undoes a hand edit and
/// takes the chart commit of its time.
fn synced_since(app: &App, world: &World, since: Offset, at: Offset) -> bool {
    world
        .history(&app.def.name, at)
        .last()
        .is_some_and(|d| d.at >= since)
}

/// The chart commit the app's resources were last applied from.
pub fn deployed_chart(app: &App, world: &World, at: Offset) -> &'static str {
    let last = world.history(&app.def.name, at).last().map(|d| d.at);
    chart_commit_at(last.unwrap_or(at))
}

/// `Some((when, replicas))` while the app's Deployment runs scaled by hand.
pub fn hand_scaled(app: &App, world: &World, at: Offset) -> Option<(Offset, u32)> {
    let when = hand_scale_at();
    (!app.def.addon
        && HAND_SCALED.contains(&app.def.workload.as_str())
        && at >= when
        && !synced_since(app, world, when, at))
    .then_some((when, app.def.replicas * 2))
}

/// `Some(when)` while the app's Secret carries a hand-edited value.
pub fn secret_edited(app: &App, world: &World, at: Offset) -> Option<Offset> {
    let when = secret_edit_at();
    (!app.def.addon
        && app.def.workload == SECRET_EDITED
        && at >= when
        && !synced_since(app, world, when, at))
    .then_some(when)
}

/// `Some((since, message))` while the app cannot be compared.
pub fn comparison_error(app: &App, at: Offset) -> Option<(Offset, String)> {
    let since = comparison_error_since();
    (!app.def.addon && app.def.workload == COMPARISON_ERROR_APP && at >= since).then(|| {
        (
            since,
            format!(
                "Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = Manifest generation error (cached): `kustomize build apps/{0}/prod` failed exit status 1: Error: accumulating resources: accumulation err='accumulating resources from 'https://git.i18n.example.net/locales//base?ref=v3': git cmd failed: fatal: unable to access 'https://git.i18n.example.net/locales/': Could not resolve host: git.i18n.example.net'",
                app.def.workload
            ),
        )
    })
}
