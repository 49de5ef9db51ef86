//! The scripted world as data, and what it looks like at any scenario time.
//!
//! Everything here is a pure function of (world, scenario time): the emulated servers ask
//! "what is firing at t?", "what is deployed at t?", and the answers never depend on when or
//! how often they ask. The only mutations are [`World::rollback`] and [`World::sync_to`], which
//! append to a deploy history exactly as an Argo CD rollback or sync would; the alerts heal (or
//! come back, when a bad version returns) as a consequence.
//! The content itself (who, what, when) lives in `script.rs`.

use super::clock::Offset;
use super::signals::SignalSpec;
use crate::model::alert::Labels;
use crate::model::silence::Matcher;
use chrono::TimeDelta;

/// How long after the bad version stops running its alerts resolve.
pub const HEAL_DELAY: TimeDelta = TimeDelta::minutes(1);

#[derive(Clone, Debug, PartialEq)]
pub struct Team {
    pub name: String,
    /// On-call rotation (PagerDuty/Opsgenie schedule name).
    pub oncall: String,
    /// Chat channel, with its `#`.
    pub chat: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub name: String,
    pub team: String,
    pub description: String,
    /// Argo CD application, `<name>-prod`.
    pub app: String,
    /// Kubernetes namespace it runs in.
    pub namespace: String,
    /// GitOps repository and path Argo CD syncs from.
    pub repo: String,
    pub path: String,
    /// Git says one thing, the cluster runs another (Argo CD OutOfSync).
    pub drift: Option<Drift>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Drift {
    pub since: Offset,
    /// The version git wants; the running one stays until someone syncs.
    pub wanted_version: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeployKind {
    Deploy,
    Rollback,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Deploy {
    /// Argo CD `status.history[].id`: per app, increasing from 1.
    pub id: u64,
    pub app: String,
    pub service: String,
    /// Image tag, e.g. `v2.14.0`.
    pub version: String,
    /// Git commit the app was synced to (40 hex).
    pub revision: String,
    pub author: String,
    /// Started by automation (auto-sync, CI) rather than a person.
    pub automated: bool,
    pub kind: DeployKind,
    pub at: Offset,
    /// How long the pods take to roll: the app is Progressing meanwhile.
    pub rollout: Offset,
    /// This version breaks the service (the app turns Degraded once rolled out).
    pub bad: bool,
}

/// One contiguous stretch during which a scripted alert's condition holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// When the expression first returns (Prometheus `activeAt`, the alert turns pending).
    pub active_at: Offset,
    /// When it stops returning; `None` = not in the script's lifetime.
    pub resolved_at: Option<Offset>,
}

/// One alerting series: a Prometheus rule's alert for one label set, with the stretches of
/// scenario time when its condition holds.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptedAlert {
    /// Rule group and file in Prometheus' rules listing.
    pub group: String,
    pub file: String,
    pub expr: String,
    /// The rule's `for:`: pending this long before firing.
    pub hold: Offset,
    /// Full label set, `alertname` included.
    pub labels: Labels,
    pub annotations: Labels,
    pub windows: Vec<Window>,
    /// The app whose bad version causes this alert: it heals [`HEAL_DELAY`] after that app
    /// runs another version (rollback or fix).
    pub healed_by: Option<String>,
    /// The series behind the expression (the alert's `value`, the graphs).
    pub signal: Option<SignalSpec>,
}

impl ScriptedAlert {
    pub fn name(&self) -> &str {
        self.labels
            .get("alertname")
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels.get(name).map(String::as_str)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Condition holds, `for:` not yet elapsed: Prometheus only.
    Pending,
    /// Sent to Alertmanager.
    Firing,
}

/// A scripted alert as it stands at some scenario time.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertAt<'a> {
    pub alert: &'a ScriptedAlert,
    pub phase: Phase,
    pub active_at: Offset,
    /// `active_at + hold`: Alertmanager's `startsAt`.
    pub fired_at: Offset,
    /// When this stretch ends, if known now (scripted end or heal after a rollback).
    pub ends_at: Option<Offset>,
}

/// A silence that exists in the demo Alertmanager before launch.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptedSilence {
    pub id: String,
    pub matchers: Vec<Matcher>,
    pub starts_at: Offset,
    pub ends_at: Offset,
    pub created_by: String,
    pub comment: String,
}

/// Argo CD's view of an app's health, derived from its deploys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    Healthy,
    Progressing,
    Degraded,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncStatus {
    Synced,
    OutOfSync,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error("no application or service named {0:?}")]
    UnknownApp(String),
    #[error("{app} has no deployment of {version:?} to roll back to")]
    UnknownVersion { app: String, version: String },
    #[error("{0} has no previous deployment to roll back to")]
    NoPrevious(String),
    #[error("{app} already runs {version}")]
    AlreadyRunning { app: String, version: String },
    #[error("{app} has no version {version:?} in git or in its history")]
    UnknownRevision { app: String, version: String },
}

/// The whole simulated estate: teams, services, their deploys, the alert script, and the
/// silences Alertmanager starts with.
#[derive(Clone, Debug, PartialEq)]
pub struct World {
    pub teams: Vec<Team>,
    pub services: Vec<Service>,
    /// Every deploy, scripted and performed, in time order per app (future ones included:
    /// they "happen" when scenario time reaches them).
    pub deploys: Vec<Deploy>,
    pub alerts: Vec<ScriptedAlert>,
    pub silences: Vec<ScriptedSilence>,
}

impl World {
    pub fn team(&self, name: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.name == name)
    }

    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// Look a service up by its Argo CD app name or its own name.
    pub fn service_by_app(&self, app_or_service: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.app == app_or_service || s.name == app_or_service)
    }

    /// An app's deploy history as of `at`, oldest first (Argo CD's `status.history` order).
    pub fn history(&self, app: &str, at: Offset) -> Vec<&Deploy> {
        let mut h: Vec<&Deploy> = self
            .deploys
            .iter()
            .filter(|d| d.app == app && d.at <= at)
            .collect();
        h.sort_by_key(|d| (d.at, d.id));
        h
    }

    /// Every deploy that has happened by `at`, newest first (the change feed).
    pub fn deploys_until(&self, at: Offset) -> Vec<&Deploy> {
        let mut all: Vec<&Deploy> = self.deploys.iter().filter(|d| d.at <= at).collect();
        all.sort_by_key(|d| std::cmp::Reverse((d.at, d.id)));
        all
    }

    /// The deploy an app runs at `at` (the latest one started by then).
    pub fn running(&self, app: &str, at: Offset) -> Option<&Deploy> {
        self.history(app, at).pop()
    }

    /// Roll `app` (app or service name) back at scenario time `at`, to `to_version` or, when
    /// `None`, to the newest earlier history entry with another version. Appends a history
    /// entry like Argo CD does; alerts caused by the bad version resolve [`HEAL_DELAY`] later.
    pub fn rollback(
        &mut self,
        app: &str,
        to_version: Option<&str>,
        at: Offset,
        author: &str,
    ) -> Result<Deploy, ScenarioError> {
        let service = self
            .service_by_app(app)
            .ok_or_else(|| ScenarioError::UnknownApp(app.to_string()))?;
        let (app, service) = (service.app.clone(), service.name.clone());
        let history = self.history(&app, at);
        let current = history
            .last()
            .ok_or_else(|| ScenarioError::NoPrevious(app.clone()))?;
        let target = match to_version {
            Some(v) => history
                .iter()
                .rev()
                .find(|d| d.version == v)
                .ok_or_else(|| ScenarioError::UnknownVersion {
                    app: app.clone(),
                    version: v.to_string(),
                })?,
            None => history
                .iter()
                .rev()
                .find(|d| d.version != current.version)
                .ok_or_else(|| ScenarioError::NoPrevious(app.clone()))?,
        };
        if target.version == current.version {
            return Err(ScenarioError::AlreadyRunning {
                app,
                version: target.version.clone(),
            });
        }
        let id = self
            .deploys
            .iter()
            .filter(|d| d.app == app)
            .map(|d| d.id)
            .max()
            .unwrap_or(0)
            + 1;
        let deploy = Deploy {
            id,
            app,
            service,
            version: target.version.clone(),
            revision: target.revision.clone(),
            author: author.to_string(),
            automated: false,
            kind: DeployKind::Rollback,
            at,
            rollout: TimeDelta::seconds(30),
            bad: target.bad,
        };
        self.deploys.push(deploy.clone());
        Ok(deploy)
    }

    /// Deploy `version` of `app` at `at` the way an Argo CD sync does: the cluster runs what
    /// the synced revision says from then on. A version git does not ask for (a sync pinned to
    /// an older revision) is recorded as a rollback; a version already running rolls nothing.
    /// A bad version brings its alerts back (see [`World::windows`]).
    pub fn sync_to(
        &mut self,
        app: &str,
        version: &str,
        at: Offset,
        author: &str,
        automated: bool,
    ) -> Result<Deploy, ScenarioError> {
        let service = self
            .service_by_app(app)
            .ok_or_else(|| ScenarioError::UnknownApp(app.to_string()))?;
        let (app, service) = (service.app.clone(), service.name.clone());
        let git = self.git_version(&app, at);
        let known = self
            .deploys
            .iter()
            .find(|d| d.app == app && d.version == version);
        if known.is_none() && git.as_deref() != Some(version) {
            return Err(ScenarioError::UnknownRevision {
                app,
                version: version.to_string(),
            });
        }
        let bad = known.is_some_and(|d| d.bad);
        let same = self.running(&app, at).is_some_and(|d| d.version == version);
        let id = self
            .deploys
            .iter()
            .filter(|d| d.app == app)
            .map(|d| d.id)
            .max()
            .unwrap_or(0)
            + 1;
        let deploy = Deploy {
            id,
            revision: commit_for(&app, version),
            kind: if git.as_deref() == Some(version) {
                DeployKind::Deploy
            } else {
                DeployKind::Rollback
            },
            app,
            service,
            version: version.to_string(),
            author: author.to_string(),
            automated,
            at,
            rollout: if same {
                TimeDelta::zero()
            } else {
                TimeDelta::seconds(45)
            },
            bad,
        };
        self.deploys.push(deploy.clone());
        Ok(deploy)
    }

    /// The version git asks `app` to run at `at`: a drift's wanted version once it applies,
    /// else the newest deploy that followed git (a rollback runs an older one).
    pub fn git_version(&self, app: &str, at: Offset) -> Option<String> {
        if let Some(drift) = self.service_by_app(app).and_then(|s| s.drift.as_ref())
            && drift.since <= at
        {
            return Some(drift.wanted_version.clone());
        }
        self.history(app, at)
            .into_iter()
            .rev()
            .find(|d| d.kind == DeployKind::Deploy)
            .map(|d| d.version.clone())
    }

    /// Every stretch of `alert`: the script's, plus a replay of each one caused by a bad
    /// version for every later return of that version (a sync or auto-sync back to it), at the
    /// same delay after that deploy.
    pub fn windows(&self, alert: &ScriptedAlert) -> Vec<Window> {
        let mut out = alert.windows.clone();
        let Some(app) = alert.healed_by.as_deref() else {
            return out;
        };
        let all = self.history(app, TimeDelta::MAX);
        for w in &alert.windows {
            let Some(cause) = self.running(app, w.active_at).filter(|d| d.bad) else {
                continue;
            };
            let lag = w.active_at - cause.at;
            for pair in all.windows(2) {
                let (before, back) = (pair[0], pair[1]);
                let returns = back.at > cause.at
                    && back.version == cause.version
                    && before.version != cause.version;
                // Replaced again before the alert would start: no replay.
                let still = self
                    .running(app, back.at + lag)
                    .is_some_and(|d| d.version == cause.version);
                if returns && still {
                    out.push(Window {
                        active_at: back.at + lag,
                        resolved_at: None,
                    });
                }
            }
        }
        out
    }

    /// When a window caused by `app`'s bad version heals: [`HEAL_DELAY`] after the first later
    /// deploy of a different version.
    fn heal_time(&self, app: &str, active_at: Offset) -> Option<Offset> {
        let bad = self.running(app, active_at)?;
        self.deploys
            .iter()
            .filter(|d| d.app == app && d.at > active_at && d.version != bad.version)
            .map(|d| d.at + HEAL_DELAY)
            .min()
    }

    /// Where a window really ends, the scripted end and a heal taken together.
    pub fn window_end(&self, alert: &ScriptedAlert, w: &Window) -> Option<Offset> {
        let heal = alert
            .healed_by
            .as_deref()
            .and_then(|app| self.heal_time(app, w.active_at));
        match (w.resolved_at, heal) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The stretch of `alert` in force at `at`, if any.
    pub fn alert_at<'a>(&self, alert: &'a ScriptedAlert, at: Offset) -> Option<AlertAt<'a>> {
        self.windows(alert).iter().find_map(|w| {
            let ends_at = self.window_end(alert, w);
            let live = w.active_at <= at && ends_at.is_none_or(|end| at < end);
            live.then(|| {
                let fired_at = w.active_at + alert.hold;
                AlertAt {
                    alert,
                    phase: if at >= fired_at {
                        Phase::Firing
                    } else {
                        Phase::Pending
                    },
                    active_at: w.active_at,
                    fired_at,
                    ends_at,
                }
            })
        })
    }

    /// Everything pending or firing at `at` (what Prometheus' `/api/v1/alerts` lists).
    pub fn alerts_at(&self, at: Offset) -> Vec<AlertAt<'_>> {
        self.alerts
            .iter()
            .filter_map(|a| self.alert_at(a, at))
            .collect()
    }

    /// Only the firing ones (what Prometheus has sent to Alertmanager).
    pub fn firing_at(&self, at: Offset) -> Vec<AlertAt<'_>> {
        self.alerts_at(at)
            .into_iter()
            .filter(|a| a.phase == Phase::Firing)
            .collect()
    }

    /// Argo CD health of `app` at `at`: Progressing while a rollout runs, Degraded while a bad
    /// version runs, Healthy otherwise.
    pub fn health(&self, app: &str, at: Offset) -> Health {
        match self.running(app, at) {
            Some(d) if at < d.at + d.rollout => Health::Progressing,
            Some(d) if d.bad => Health::Degraded,
            _ => Health::Healthy,
        }
    }

    /// Argo CD sync status of `app` at `at`: OutOfSync while the cluster runs another version
    /// than git asks for (a drift nobody synced yet, or a rollback).
    pub fn sync(&self, app: &str, at: Offset) -> SyncStatus {
        match (self.running(app, at), self.git_version(app, at)) {
            (Some(d), Some(wanted)) if d.version != wanted => SyncStatus::OutOfSync,
            _ => SyncStatus::Synced,
        }
    }
}

/// FNV-1a 64 of a string: deterministic "random" for commits, jitter and ids.
pub fn fnv64(text: &str) -> u64 {
    let mut hash: u64 = 14695981039346656037;
    for b in text.as_bytes() {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(1099511628211);
    }
    hash
}

/// A stable 40-hex git commit for an app version. FNV of near-identical strings shares its
/// high bits, so each word goes through a finalizer: `v2.13.1` and `v2.13.2` must not both
/// look like `8ff55…`.
pub fn commit_for(app: &str, version: &str) -> String {
    let mix = |mut x: u64| {
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d049bb133111eb);
        x ^ (x >> 31)
    };
    let a = mix(fnv64(&format!("{app}@{version}")));
    let b = mix(fnv64(&format!("{version}@{app}")));
    let c = mix(fnv64(&format!("{app}#{version}#")));
    format!("{a:016x}{b:016x}{:08x}", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(n: i64) -> Offset {
        TimeDelta::minutes(n)
    }

    #[test]
    fn launch_state_matches_the_story() {
        let world = World::demo();
        let at = |name: &str, service: &str| {
            world
                .alerts_at(TimeDelta::zero())
                .into_iter()
                .find(|a| a.alert.name() == name && a.alert.label("service") == Some(service))
                .map(|a| a.phase)
        };
        assert_eq!(at("HighErrorRate", "checkout"), Some(Phase::Firing));
        assert_eq!(at("KubePodCrashLooping", "checkout"), Some(Phase::Firing));
        assert_eq!(at("HighLatency", "checkout"), Some(Phase::Pending));
        assert_eq!(at("HighLatency", "recommendations"), None);
        let checkout = world.running("checkout-prod", TimeDelta::zero()).unwrap();
        assert_eq!(
            (
                checkout.version.as_str(),
                checkout.author.as_str(),
                checkout.at
            ),
            ("v2.14.0", "ci-bot", m(-6))
        );
        assert_eq!(
            world.health("checkout-prod", TimeDelta::zero()),
            Health::Degraded
        );
        assert_eq!(
            world.sync("search-prod", TimeDelta::zero()),
            SyncStatus::OutOfSync
        );
        assert_eq!(
            world.health("search-prod", TimeDelta::zero()),
            Health::Healthy
        );
        assert!(world.services.len() >= 40);
        for s in &world.services {
            assert!(world.team(&s.team).is_some(), "{} has a team", s.name);
            assert!(
                world.running(&s.app, TimeDelta::zero()).is_some(),
                "{}",
                s.app
            );
        }
    }

    #[test]
    fn rollback_heals_checkout_one_minute_later() {
        let mut world = World::demo();
        let firing = |w: &World, t: Offset| {
            w.firing_at(t)
                .iter()
                .filter(|a| a.alert.label("service") == Some("checkout"))
                .count()
        };
        assert_eq!(firing(&world, m(30)), 3, "unhealed, HighLatency fires too");
        let d = world
            .rollback("checkout-prod", None, m(1), "alice")
            .unwrap();
        assert_eq!(
            (d.version.as_str(), d.kind, d.id),
            ("v2.13.2", DeployKind::Rollback, 4)
        );
        assert_eq!(firing(&world, m(1)), 2);
        assert_eq!(firing(&world, m(2) - TimeDelta::seconds(1)), 2);
        assert_eq!(firing(&world, m(2)), 0);
        assert!(
            world
                .alerts_at(m(2))
                .iter()
                .all(|a| a.alert.label("service") != Some("checkout"))
        );
        assert_eq!(world.health("checkout-prod", m(1)), Health::Progressing);
        assert_eq!(world.health("checkout-prod", m(2)), Health::Healthy);
        // The past is not rewritten: before the rollback it was firing.
        assert_eq!(firing(&world, TimeDelta::zero()), 2);
    }

    #[test]
    fn rollback_errors() {
        let mut world = World::demo();
        let zero = TimeDelta::zero();
        assert!(matches!(
            world.rollback("nope", None, zero, "a"),
            Err(ScenarioError::UnknownApp(_))
        ));
        assert!(matches!(
            world.rollback("checkout", Some("v0.0.1"), zero, "a"),
            Err(ScenarioError::UnknownVersion { .. })
        ));
        assert!(matches!(
            world.rollback("checkout", Some("v2.14.0"), zero, "a"),
            Err(ScenarioError::AlreadyRunning { .. })
        ));
        // By service name works too, and to an explicit older version.
        let d = world
            .rollback("checkout", Some("v2.13.1"), zero, "a")
            .unwrap();
        assert_eq!(d.app, "checkout-prod");
    }

    #[test]
    fn second_rollout_and_flapping_alert_unfold() {
        let world = World::demo();
        let phase = |name: &str, service: &str, t: Offset| {
            world
                .alerts_at(t)
                .into_iter()
                .find(|a| a.alert.name() == name && a.alert.label("service") == Some(service))
                .map(|a| a.phase)
        };
        // recommendations: deploy at +2, HighLatency fires at +3, resolves at +6.
        assert!(world.running("recommendations-prod", m(1)).unwrap().version != "v3.8.0");
        assert_eq!(
            world.running("recommendations-prod", m(2)).unwrap().version,
            "v3.8.0"
        );
        assert_eq!(
            world.health("recommendations-prod", m(2)),
            Health::Progressing
        );
        assert_eq!(
            phase("HighLatency", "recommendations", m(3)),
            Some(Phase::Firing)
        );
        assert_eq!(phase("HighLatency", "recommendations", m(6)), None);
        // The flapping alert: fires, resolves, fires again, resolves.
        let flap: Vec<bool> = [0, 60, 150, 200, 240, 285, 360]
            .iter()
            .map(|&t| {
                phase(
                    "KafkaConsumerLagHigh",
                    "notifications",
                    TimeDelta::seconds(t),
                ) == Some(Phase::Firing)
            })
            .collect();
        assert_eq!(flap, [false, true, false, false, true, false, false]);
        assert_eq!(phase("DiskSpaceLow", "search", m(3)), None);
        assert_eq!(phase("DiskSpaceLow", "search", m(4)), Some(Phase::Firing));
    }

    #[test]
    fn a_rollback_leaves_git_behind_and_the_bad_version_can_come_back() {
        let mut world = World::demo();
        let firing = |w: &World, name: &str, t: Offset| {
            w.firing_at(t)
                .iter()
                .any(|a| a.alert.name() == name && a.alert.label("service") == Some("checkout"))
        };
        assert_eq!(world.sync("checkout-prod", m(1)), SyncStatus::Synced);
        world
            .rollback("checkout-prod", None, m(1), "alice")
            .unwrap();
        assert_eq!(
            world.git_version("checkout-prod", m(1)).as_deref(),
            Some("v2.14.0")
        );
        assert_eq!(world.sync("checkout-prod", m(1)), SyncStatus::OutOfSync);
        assert!(!firing(&world, "HighErrorRate", m(3)));
        // Auto-sync puts git's (bad) version back: the same alerts return on the same delays.
        let d = world
            .sync_to("checkout-prod", "v2.14.0", m(5), "auto-sync", true)
            .unwrap();
        assert_eq!((d.id, d.kind, d.bad), (5, DeployKind::Deploy, true));
        assert_eq!(world.sync("checkout-prod", m(5)), SyncStatus::Synced);
        assert_eq!(world.health("checkout-prod", m(6)), Health::Degraded);
        let back = m(5) + TimeDelta::seconds(10);
        assert!(!firing(
            &world,
            "HighErrorRate",
            back + m(1) - TimeDelta::seconds(1)
        ));
        assert!(firing(&world, "HighErrorRate", back + m(1)));
        assert!(firing(&world, "KubePodCrashLooping", m(7)));
        // A second rollback heals them again a minute later; the past is not rewritten.
        world
            .rollback("checkout-prod", None, m(8), "alice")
            .unwrap();
        assert!(firing(
            &world,
            "HighErrorRate",
            m(9) - TimeDelta::seconds(1)
        ));
        assert!(!firing(&world, "HighErrorRate", m(9)));
        assert!(firing(&world, "HighErrorRate", TimeDelta::zero()));
    }

    #[test]
    fn syncing_search_brings_it_in_sync() {
        let mut world = World::demo();
        let zero = TimeDelta::zero();
        assert!(matches!(
            world.sync_to("search-prod", "v9.9.9", zero, "a", false),
            Err(ScenarioError::UnknownRevision { .. })
        ));
        let d = world
            .sync_to("search-prod", "v4.2.0", zero, "admin", false)
            .unwrap();
        assert_eq!(
            (d.kind, d.rollout),
            (DeployKind::Deploy, TimeDelta::seconds(45))
        );
        assert_eq!(world.sync("search-prod", zero), SyncStatus::Synced);
        assert_eq!(world.health("search-prod", zero), Health::Progressing);
        assert_eq!(world.health("search-prod", m(1)), Health::Healthy);
        // Re-syncing what already runs rolls nothing.
        let again = world
            .sync_to("search-prod", "v4.2.0", m(2), "admin", false)
            .unwrap();
        assert_eq!(again.rollout, TimeDelta::zero());
        assert_eq!(world.health("search-prod", m(2)), Health::Healthy);
        // Pinning an older revision is a rollback as far as git is concerned.
        let pinned = world
            .sync_to("search-prod", "v4.1.2", m(3), "admin", false)
            .unwrap();
        assert_eq!(pinned.kind, DeployKind::Rollback);
        assert_eq!(world.sync("search-prod", m(3)), SyncStatus::OutOfSync);
    }

    #[test]
    fn commits_are_stable_hex() {
        let c = commit_for("checkout-prod", "v2.14.0");
        assert_eq!(c.len(), 40);
        assert!(c.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(c, commit_for("checkout-prod", "v2.14.0"));
        assert_ne!(c, commit_for("checkout-prod", "v2.13.2"));
        assert_ne!(
            commit_for("checkout-prod", "v2.13.1")[..7],
            commit_for("checkout-prod", "v2.13.2")[..7]
        );
    }
}
