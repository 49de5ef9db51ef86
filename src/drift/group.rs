//! Apps that share a cause form one group: one commit in one repository, one chart version,
//! one set of (kind, path, manager) changes, one comparison error. Ranked production first,
//! then size.
//!
//! Groups are kept incrementally: each app's entry remembers its group's id, so a change moves
//! only that app ([`place`]); [`rank`] re-sorts the (small) groups vector. [`rebuild`] builds
//! them from scratch (a whole instance's list).

use super::cause::LIVE_NOT_FETCHED;
use super::{AppDrift, Cause, CauseKind, ResourceChange};
use crate::model::age;
use crate::model::app::{App, AppKey, HealthStatus, SyncStatus, short_sha};
use crate::model::drift::{AppDriftEntry, DriftGroup, DriftStore, GroupChange, MetaState};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A commit subject is cut to this many characters in a summary.
const SUBJECT_CHARS: usize = 40;
/// Id of the live group whose diff has not arrived yet.
const LIVE_PENDING: &str = "live|?";

/// The id of the group an app with this cause belongs to: short and bounded (it is cloned into
/// every app entry, row, "diff opened" and timeline detail), precise enough that a diff opened
/// for one set of changes never stands for another. The readable text is in the summary and
/// the changes, not here.
pub fn group_key(cause: &Cause, app: &App, drift: Option<&AppDrift>) -> String {
    match cause.kind {
        CauseKind::Git | CauseKind::Chart => match &cause.revision {
            Some(r) if cause.kind == CauseKind::Chart => {
                format!("chart|{}|{}|{}", r.repo, r.chart, r.to)
            }
            Some(r) => format!("git|{}|{}", r.repo, r.to),
            None => format!("{}|", cause.kind.word()),
        },
        CauseKind::AppSpec => {
            // What the app is now compared with (each source's place and fingerprint of its
            // values and parameters), and what changed from the deploy.
            let compared = if app.compared_to.is_empty() {
                &app.sources
            } else {
                &app.compared_to
            };
            let mut h = IdHash::default();
            for s in compared {
                h.field(s.repo_url.as_bytes());
                h.field(&s.fingerprint.to_le_bytes());
            }
            h.field(cause.reason.as_deref().unwrap_or("").as_bytes());
            format!("app_spec|{}", h.hex())
        }
        CauseKind::Live => match drift {
            None => LIVE_PENDING.to_string(),
            Some(d) => {
                let set: BTreeSet<(&str, &str, &str)> = d
                    .resources
                    .iter()
                    .filter(|r| r.change == ResourceChange::Modified)
                    .flat_map(|r| {
                        r.paths.iter().map(move |p| {
                            (
                                r.kind.as_str(),
                                p.path.as_str(),
                                p.writer.as_ref().map(|w| w.manager.as_str()).unwrap_or(""),
                            )
                        })
                    })
                    .collect();
                let mut h = IdHash::default();
                for (kind, path, manager) in set {
                    h.field(kind.as_bytes());
                    h.field(path.as_bytes());
                    h.field(manager.as_bytes());
                }
                format!("live|{}", h.hex())
            }
        },
        CauseKind::Prune | CauseKind::Missing => {
            // The resources themselves, not only their kinds: pruning one app's ConfigMap
            // says nothing about another's.
            let set: BTreeSet<(&str, &str, &str, &str)> = resource_changes(cause.kind, app, drift)
                .into_iter()
                .collect();
            let mut h = IdHash::default();
            for (group, kind, namespace, name) in set {
                h.field(group.as_bytes());
                h.field(kind.as_bytes());
                h.field(namespace.as_bytes());
                h.field(name.as_bytes());
            }
            format!("{}|{}", cause.kind.word(), h.hex())
        }
        CauseKind::Unknown => {
            format!(
                "unknown|{}",
                hashed(&[cause.reason.as_deref().unwrap_or("")])
            )
        }
    }
}

/// FNV-1a over length-prefixed fields (no two field lists hash the same bytes), as 16 hex.
#[derive(Default)]
struct IdHash(crate::model::fasthash::Fnv);

impl IdHash {
    fn field(&mut self, bytes: &[u8]) {
        use std::hash::Hasher;
        // Through `write` only: `Fnv::write_u64` replaces the state instead of mixing into it.
        self.0.write(&(bytes.len() as u64).to_le_bytes());
        self.0.write(bytes);
    }
    fn hex(&self) -> String {
        use std::hash::Hasher;
        format!("{:016x}", self.0.finish())
    }
}

fn hashed(fields: &[&str]) -> String {
    let mut h = IdHash::default();
    for f in fields {
        h.field(f.as_bytes());
    }
    h.hex()
}

/// The (group, kind, namespace, name) of the resources to prune or missing, from the diff when
/// fetched, else from the app's own resource list.
fn resource_changes<'a>(
    kind: CauseKind,
    app: &'a App,
    drift: Option<&'a AppDrift>,
) -> Vec<(&'a str, &'a str, &'a str, &'a str)> {
    let change = if kind == CauseKind::Prune {
        ResourceChange::Extra
    } else {
        ResourceChange::Missing
    };
    let from_diff: Vec<_> = drift
        .into_iter()
        .flat_map(|d| d.resources.iter())
        .filter(|r| r.change == change)
        .map(|r| {
            (
                r.group.as_str(),
                r.kind.as_str(),
                r.namespace.as_str(),
                r.name.as_str(),
            )
        })
        .collect();
    if !from_diff.is_empty() {
        return from_diff;
    }
    app.resources
        .iter()
        .filter(|r| match kind {
            CauseKind::Prune => r.requires_pruning,
            _ => r.sync == SyncStatus::OutOfSync && r.health == Some(HealthStatus::Missing),
        })
        .map(|r| {
            (
                r.group.as_str(),
                r.kind.as_str(),
                r.namespace.as_str(),
                r.name.as_str(),
            )
        })
        .collect()
}

/// Production first, then by key: the order of a group's apps.
fn app_order(entries: &BTreeMap<AppKey, AppDriftEntry>, a: &AppKey) -> (bool, AppKey) {
    let production = entries.get(a).is_some_and(|e| e.production);
    (!production, a.clone())
}

/// Rank groups: those with production apps first, then the largest, then by id.
pub fn rank(groups: &mut [DriftGroup]) {
    groups.sort_by(|a, b| {
        (a.production == 0)
            .cmp(&(b.production == 0))
            .then(b.apps.len().cmp(&a.apps.len()))
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// Build every group from the entries (each entry's `group` already set).
pub fn rebuild(store: &mut DriftStore, apps: &BTreeMap<AppKey, App>, now: DateTime<Utc>) {
    let mut by_id: HashMap<&str, Vec<AppKey>> = HashMap::new();
    for (key, entry) in &store.apps {
        by_id
            .entry(entry.group.as_str())
            .or_default()
            .push(key.clone());
    }
    let mut groups: Vec<DriftGroup> = by_id
        .into_iter()
        .map(|(id, mut keys)| {
            keys.sort_by_cached_key(|k| app_order(&store.apps, k));
            derive(id.to_string(), keys, store, apps, now)
        })
        .collect();
    rank(&mut groups);
    store.groups = groups;
}

/// Put one app (already in `store.apps`, or gone from it) in the group its entry names, taking
/// it out of `from`. Returns the id of a group this created.
pub fn place(
    store: &mut DriftStore,
    apps: &BTreeMap<AppKey, App>,
    key: &AppKey,
    from: Option<&str>,
    now: DateTime<Utc>,
) -> Option<String> {
    let to = store.apps.get(key).map(|e| e.group.clone());
    if let Some(from) = from.filter(|f| Some(*f) != to.as_deref())
        && let Some(i) = store.groups.iter().position(|g| g.id == from)
    {
        let mut keys = std::mem::take(&mut store.groups[i].apps);
        keys.retain(|k| k != key);
        if keys.is_empty() {
            store.groups.remove(i);
        } else {
            let id = from.to_string();
            store.groups[i] = derive(id, keys, store, apps, now);
        }
    }
    let mut created = None;
    if let Some(to) = to {
        let (i, mut keys) = match store.groups.iter().position(|g| g.id == to) {
            Some(i) => (i, std::mem::take(&mut store.groups[i].apps)),
            None => {
                created = Some(to.clone());
                store.groups.push(placeholder(&to));
                (store.groups.len() - 1, Vec::new())
            }
        };
        let order = app_order(&store.apps, key);
        keys.retain(|k| k != key);
        let at = keys.partition_point(|k| app_order(&store.apps, k) < order);
        keys.insert(at, key.clone());
        store.groups[i] = derive(to, keys, store, apps, now);
    }
    rank(&mut store.groups);
    created
}

fn placeholder(id: &str) -> DriftGroup {
    DriftGroup {
        id: id.to_string(),
        cause: CauseKind::Unknown,
        summary: String::new(),
        apps: Vec::new(),
        production: 0,
        revision: None,
        meta: None,
        changes: Vec::new(),
        error: None,
        since: None,
    }
}

/// A group's shared facts, from its apps' entries (the first app speaks for the cause).
fn derive(
    id: String,
    keys: Vec<AppKey>,
    store: &DriftStore,
    apps: &BTreeMap<AppKey, App>,
    now: DateTime<Utc>,
) -> DriftGroup {
    let first = keys.first().and_then(|k| store.apps.get(k));
    let cause = first.map(|e| e.cause.clone()).unwrap_or_else(|| Cause {
        kind: CauseKind::Unknown,
        revision: None,
        reason: None,
    });
    let production = keys
        .iter()
        .filter(|k| store.apps.get(*k).is_some_and(|e| e.production))
        .count();
    let meta = cause.revision.as_ref().and_then(|r| {
        match store.revisions.get(&(r.repo.clone(), r.to.clone())) {
            Some(MetaState::Known(m)) => Some(m.clone()),
            _ => None,
        }
    });
    let mut changes = Vec::new();
    if matches!(
        cause.kind,
        CauseKind::Live | CauseKind::Prune | CauseKind::Missing
    ) {
        for k in &keys {
            let drift = store.apps.get(k).and_then(|e| e.drift.as_deref());
            let Some(app) = apps.get(k) else { continue };
            changes.extend(group_changes(cause.kind, app, drift));
        }
    }
    let since = match cause.kind {
        CauseKind::Git | CauseKind::Chart => meta.as_ref().and_then(|m| m.date),
        _ => changes
            .iter()
            .filter_map(|c| c.writer.as_ref().and_then(|w| w.time))
            .max(),
    };
    let mut group = DriftGroup {
        id,
        cause: cause.kind,
        summary: String::new(),
        apps: keys,
        production,
        revision: cause.revision.clone(),
        meta,
        changes,
        error: (cause.kind == CauseKind::Unknown)
            .then(|| cause.reason.clone())
            .flatten(),
        since,
    };
    group.summary = summary(&group, cause.reason.as_deref(), now);
    group
}

fn group_changes(kind: CauseKind, app: &App, drift: Option<&AppDrift>) -> Vec<GroupChange> {
    if kind == CauseKind::Live {
        return drift
            .into_iter()
            .flat_map(|d| d.resources.iter())
            .filter(|r| r.change == ResourceChange::Modified)
            .flat_map(|r| {
                r.paths.iter().map(move |p| GroupChange {
                    group: r.group.clone(),
                    kind: r.kind.clone(),
                    namespace: r.namespace.clone(),
                    name: r.name.clone(),
                    path: p.path.clone(),
                    writer: p.writer.clone(),
                })
            })
            .collect();
    }
    resource_changes(kind, app, drift)
        .into_iter()
        .map(|(group, kind, namespace, name)| GroupChange {
            group: group.into(),
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
            path: String::new(),
            writer: None,
        })
        .collect()
}

/// Write every group's summary again (the minute changed: ages moved).
pub fn refresh_summaries(store: &mut DriftStore, now: DateTime<Utc>) {
    for g in &mut store.groups {
        let reason = g
            .apps
            .first()
            .and_then(|k| store.apps.get(k))
            .and_then(|e| e.cause.reason.clone());
        g.summary = summary(g, reason.as_deref(), now);
    }
}

/// The groups naming this commit learn its metadata.
pub fn meta_arrived(store: &mut DriftStore, repo: &str, revision: &str, now: DateTime<Utc>) {
    let meta = match store
        .revisions
        .get(&(repo.to_string(), revision.to_string()))
    {
        Some(MetaState::Known(m)) => Some(m.clone()),
        _ => None,
    };
    for g in &mut store.groups {
        let Some(r) = &g.revision else { continue };
        if r.repo != repo || r.to != revision {
            continue;
        }
        g.meta = meta.clone();
        if g.cause == CauseKind::Git || g.cause == CauseKind::Chart {
            g.since = meta.as_ref().and_then(|m| m.date);
        }
        let reason = g
            .apps
            .first()
            .and_then(|k| store.apps.get(k))
            .and_then(|e| e.cause.reason.clone());
        g.summary = summary(g, reason.as_deref(), now);
    }
}

/// `example-org/platform-charts` from `https://github.com/example-org/platform-charts.git`.
pub fn repo_short(repo: &str) -> String {
    let r = repo.trim_end_matches('/').trim_end_matches(".git");
    let r = r.split_once("://").map(|(_, rest)| rest).unwrap_or(r);
    let segments: Vec<&str> = r.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [.., owner, name] if segments.len() >= 2 => {
            // `git@github.com:org/repo`: the owner follows the colon.
            let owner = owner.rsplit(':').next().unwrap_or(owner);
            format!("{owner}/{name}")
        }
        _ => r.to_string(),
    }
}

fn ago(t: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    t.map(|t| format!(" {} ago", age::short(now - t)))
        .unwrap_or_default()
}

fn cut(text: &str, chars: usize) -> String {
    let clean = crate::sanitize::clean_line(text, 400);
    if clean.chars().count() <= chars {
        clean
    } else {
        let mut s: String = clean.chars().take(chars).collect();
        s.push('…');
        s
    }
}

/// The group's cause in a few words, without the app count: `git 4f2a1c9 by Alice`,
/// `chart redis 18.1.0`, `live Deployment spec.replicas by kubectl-scale`.
pub fn short_cause(g: &DriftGroup) -> String {
    match g.cause {
        CauseKind::Git => {
            let sha = g.revision.as_ref().map(|r| short_sha(&r.to)).unwrap_or("");
            match &g.meta {
                Some(m) if !m.author.is_empty() => {
                    format!("git {sha} by {}", cut(author_name(&m.author), 30))
                }
                _ => format!("git {sha}"),
            }
        }
        CauseKind::Chart => match &g.revision {
            Some(r) => format!("chart {} {}", cut(&r.chart, 30), cut(&r.to, 20)),
            None => "chart".into(),
        },
        CauseKind::Live => match live_paths(g).first() {
            Some((kind, path, manager)) if manager.is_empty() => format!("live {kind} {path}"),
            Some((kind, path, manager)) => format!("live {kind} {path} by {manager}"),
            None => "live".into(),
        },
        CauseKind::Unknown => "unknown".into(),
        kind => kind.word().to_string(),
    }
}

/// `Alice <alice@example.org>` → `Alice`.
fn author_name(author: &str) -> &str {
    match author.find('<') {
        Some(i) if i > 0 => author[..i].trim(),
        _ => author.trim(),
    }
}

/// The distinct (kind, path, manager) of a live group, in first-seen order.
fn live_paths(g: &DriftGroup) -> Vec<(String, String, String)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for c in &g.changes {
        let manager = c.writer.as_ref().map(|w| w.manager.as_str()).unwrap_or("");
        let item = (cut(&c.kind, 40), cut(&c.path, 80), cut(manager, 40));
        if seen.insert(item.clone()) {
            out.push(item);
        }
    }
    out
}

/// One line that reads like a finding.
pub fn summary(g: &DriftGroup, reason: Option<&str>, now: DateTime<Utc>) -> String {
    let n = g.apps.len();
    let tail = format!(" — {n} app{}", if n == 1 { "" } else { "s" });
    let head = match g.cause {
        CauseKind::Git => {
            let (sha, repo) = g
                .revision
                .as_ref()
                .map(|r| (short_sha(&r.to).to_string(), repo_short(&r.repo)))
                .unwrap_or_default();
            match &g.meta {
                Some(m) => {
                    let mut s = format!("git {sha}");
                    let subject = m.subject();
                    if !subject.is_empty() {
                        s.push_str(&format!(" \"{}\"", cut(subject, SUBJECT_CHARS)));
                    }
                    if !m.author.is_empty() {
                        s.push_str(&format!(" by {}", cut(author_name(&m.author), 40)));
                    }
                    s.push_str(&ago(m.date, now));
                    s
                }
                None => format!("git {sha} in {}", cut(&repo, 80)),
            }
        }
        CauseKind::Chart => match &g.revision {
            Some(r) => format!(
                "chart {} {} → {}",
                cut(&r.chart, 40),
                cut(&r.from, 30),
                cut(&r.to, 30)
            ),
            None => "chart".into(),
        },
        CauseKind::AppSpec => format!("app_spec: {}", cut(reason.unwrap_or("source changed"), 80)),
        CauseKind::Live => {
            if g.id == LIVE_PENDING {
                format!("live, {LIVE_NOT_FETCHED}")
            } else {
                let paths = live_paths(g);
                match paths.first() {
                    None => "live, no changed field found".to_string(),
                    Some((kind, path, manager)) => {
                        let mut s = format!("live {kind} {path}");
                        if !manager.is_empty() {
                            let when = g
                                .changes
                                .iter()
                                .filter(|c| {
                                    c.writer.as_ref().is_some_and(|w| w.manager == *manager)
                                })
                                .filter_map(|c| c.writer.as_ref().and_then(|w| w.time))
                                .max();
                            s.push_str(&format!(" by {manager}{}", ago(when, now)));
                        }
                        if paths.len() > 1 {
                            s.push_str(&format!(" +{} more", paths.len() - 1));
                        }
                        s
                    }
                }
            }
        }
        CauseKind::Prune | CauseKind::Missing => {
            let kinds: BTreeSet<&str> = g.changes.iter().map(|c| c.kind.as_str()).collect();
            let kinds: Vec<&str> = kinds.into_iter().collect();
            if kinds.is_empty() {
                g.cause.word().to_string()
            } else {
                format!("{} {}", g.cause.word(), cut(&kinds.join(", "), 80))
            }
        }
        CauseKind::Unknown => format!(
            "unknown: {}",
            cut(
                g.error.as_deref().or(reason).unwrap_or("no reason given"),
                80
            )
        ),
    };
    head + &tail
}

#[cfg(test)]
#[path = "group_tests.rs"]
mod tests;
