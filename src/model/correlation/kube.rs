//! Kubernetes in the index: the namespaces a cluster's batch touched summarized again, their
//! workloads joined to services, their Deployments' revisions put in the change feed (beside
//! Argo CD's, under a key of their own), and the services whose rows that changes marked dirty.

use super::super::Model;
use super::super::deploy::{Deploy, DeployOrigin, DeployResult, KubeDeploy, kube_deploy_key};
use super::super::kube::KubeDelta;
use super::super::kube_join::{
    JoinContext, JoinedBy, KubeIndex, KubeRevision, SAME_CHANGE_SECS, WorkloadSummary,
    join_workload,
};
use super::Correlation;
use super::deploys::DEPLOY_FEED_DAYS;
use crate::kube::status::RolloutPhase;
use crate::kube::{WorkloadKey, WorkloadKind};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

impl Correlation {
    /// A cluster's batch changed these namespaces: summarize them at the next recorrelate.
    pub fn note_kube(&mut self, delta: KubeDelta) {
        if !delta.is_empty() {
            self.kube.note(delta);
        }
    }

    /// Every workload's summary, joined.
    pub fn kube(&self) -> &KubeIndex {
        &self.kube
    }
}

/// The tag of an image (`v2.14.0` of `registry:5000/shop/checkout:v2.14.0`), else its digest's
/// start, else its name.
pub fn image_tag(image: &str) -> &str {
    if let Some((_, digest)) = image.split_once('@') {
        return digest
            .split_once(':')
            .map_or(digest, |(_, d)| &d[..d.len().min(12)]);
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':').map_or(last, |(_, tag)| tag)
}

impl Model {
    /// Bring the workloads up to date with what clusters reported (only the namespaces they
    /// touched), rejoin every workload when apps or the catalog changed, or everything when
    /// `full`. Marks the services and feed keys that changed.
    pub(super) fn rederive_kube(&mut self, full: bool) {
        if !full && !self.correlation.kube.has_pending() {
            return;
        }
        let mut delta = self.correlation.kube.take_pending();
        let rejoin = std::mem::take(&mut self.correlation.kube.rejoin) || full;
        if full {
            delta.clusters.extend(self.kube.clusters.keys().cloned());
            delta.clusters.extend(
                self.correlation
                    .kube
                    .summaries()
                    .map(|s| s.workload.key.cluster.clone()),
            );
        }
        let scope = self.correlation.kube.scope(&self.kube, &delta);
        let mut fresh: Vec<WorkloadSummary> = Vec::new();
        let mut gone: Vec<WorkloadKey> = Vec::new();
        for (cluster, ns) in &scope {
            let (before, summaries) = self.correlation.kube.summarize(&self.kube, cluster, ns);
            let now: HashSet<&WorkloadKey> = summaries.iter().map(|s| &s.workload.key).collect();
            gone.extend(before.into_iter().filter(|k| !now.contains(k)));
            fresh.extend(summaries);
        }
        for ((cluster, ns), keys) in KubeIndex::pinned(&delta, &scope) {
            let (before, summaries) = self
                .correlation
                .kube
                .summarize_some(&self.kube, &cluster, &ns, &keys);
            let now: HashSet<&WorkloadKey> = summaries.iter().map(|s| &s.workload.key).collect();
            gone.extend(before.into_iter().filter(|k| !now.contains(k)));
            fresh.extend(summaries);
        }
        for key in &gone {
            if let Some(old) = self.correlation.kube.replace(key, None) {
                self.correlation.dirty_services.insert(old);
            }
            self.set_kube_deploys(key, Vec::new());
        }
        if rejoin {
            // Joins may have moved: every other workload is joined again, and replaced only
            // when its service or revisions' Argo CD match changed.
            let fresh_keys: HashSet<WorkloadKey> =
                fresh.iter().map(|s| s.workload.key.clone()).collect();
            let others: Vec<Arc<WorkloadSummary>> = self
                .correlation
                .kube
                .summaries()
                .filter(|s| !fresh_keys.contains(&s.workload.key))
                .cloned()
                .collect();
            for s in others {
                let mut candidate = (*s).clone();
                self.join_one(&mut candidate);
                if candidate != *s {
                    self.store_summary(candidate);
                }
            }
        }
        for mut s in fresh {
            self.join_one(&mut s);
            self.store_summary(s);
        }
    }

    /// Join a summary to its service and match its revisions with Argo CD syncs.
    fn join_one(&self, s: &mut WorkloadSummary) {
        let c = &self.correlation;
        let service_of_app = |k: &super::super::app::AppKey| c.app_service.get(k).cloned();
        let service_exists = |name: &str| {
            c.service_alerts.contains_key(name)
                || c.service_apps.contains_key(name)
                || self.catalog.component(name).is_some()
        };
        let cx = JoinContext {
            catalog: &self.catalog,
            argo: &c.kube.argo,
            service_of_app: &service_of_app,
            service_exists: &service_exists,
        };
        match join_workload(&s.workload, &cx) {
            Some((service, by)) => {
                s.service = Some(service);
                s.joined_by = Some(by);
            }
            None => {
                s.service = None;
                s.joined_by = None;
            }
        }
        let newest = s.revisions.first().map(|r| r.revision.revision);
        let joined_app = match &s.joined_by {
            Some(JoinedBy::ArgoResource(k) | JoinedBy::ArgoTracking(k)) => Some(k.clone()),
            _ => None,
        };
        for r in &mut s.revisions {
            r.via_argocd = self.argo_sync_for(
                s.service.as_deref(),
                joined_app.as_ref(),
                &r.revision,
                Some(r.revision.revision) == newest,
            );
        }
    }

    /// The Argo CD app whose sync this revision is: an app of the same service (or the one
    /// the workload is joined through) with a deploy within [`SAME_CHANGE_SECS`] of the
    /// ReplicaSet's creation, and (for the revision running now) the images the app reports.
    fn argo_sync_for(
        &self,
        service: Option<&str>,
        joined_app: Option<&super::super::app::AppKey>,
        r: &crate::kube::history::Revision,
        current: bool,
    ) -> Option<super::super::app::AppKey> {
        let created = r.created?;
        let c = &self.correlation;
        let apps = service
            .and_then(|s| c.service_apps.get(s))
            .into_iter()
            .flatten()
            .chain(joined_app);
        for key in apps {
            let Some(app) = self.apps.get(key) else {
                continue;
            };
            let images_match = !current
                || app.images.is_empty()
                || r.images.iter().all(|i| app.images.contains(i));
            let near = c.app_deploys.get(key).is_some_and(|ds| {
                ds.iter().any(|d| {
                    d.kube().is_none()
                        && [d.started_at, d.finished_at]
                            .into_iter()
                            .flatten()
                            .any(|t| (t - created).num_seconds().abs() <= SAME_CHANGE_SECS)
                })
            });
            if near && images_match {
                return Some(key.clone());
            }
        }
        None
    }

    /// Store a joined summary: its old and new services dirty, its revisions in the feed.
    fn store_summary(&mut self, mut s: WorkloadSummary) {
        if let Some(old) = self.correlation.kube.summary(&s.workload.key) {
            s.revision_seen_at = match (old.workload.revision, s.workload.revision) {
                (before, now) if before == now => old.revision_seen_at,
                (Some(_), Some(now)) => Some((now, self.now)),
                _ => None,
            };
            // A revision that came back is matched with Argo CD by when it came back (an
            // Argo CD rollback re-uses the old ReplicaSet too), not by when it was created.
            if let Some((rev, seen)) = s.revision_seen_at {
                let service = s.service.clone();
                for r in s
                    .revisions
                    .iter_mut()
                    .filter(|r| r.revision.revision == rev)
                {
                    let mut probe = r.revision.clone();
                    probe.created = Some(seen);
                    r.via_argocd = self.argo_sync_for(service.as_deref(), None, &probe, true);
                }
            }
            // A namespace is summarised as a whole; most of its workloads did not change (one
            // pod's restart touches one of fifty). Those cost a comparison, not a row and a
            // feed update.
            if **old == s {
                return;
            }
        }
        let key = s.workload.key.clone();
        let deploys = kube_deploys(&s, self.now);
        if let Some(service) = &s.service {
            self.correlation.dirty_services.insert(service.clone());
        }
        if let Some(old) = self.correlation.kube.replace(&key, Some(s)) {
            self.correlation.dirty_services.insert(old);
        }
        self.set_kube_deploys(&key, deploys);
    }

    /// Replace a workload's revisions in the feed (only when they changed: a pod's restart
    /// leaves the feed alone).
    fn set_kube_deploys(&mut self, key: &WorkloadKey, deploys: Vec<Deploy>) {
        let feed_key = kube_deploy_key(key);
        let c = &mut self.correlation;
        let same = match c.app_deploys.get(&feed_key) {
            Some(old) => {
                old.len() == deploys.len()
                    && old.iter().zip(&deploys).all(|(a, b)| {
                        // Suspect flags are the index's own, set after.
                        Deploy {
                            suspect: b.suspect,
                            ..Deploy::clone(a)
                        } == *b
                    })
            }
            None => deploys.is_empty(),
        };
        if same {
            return;
        }
        let new: Vec<Arc<Deploy>> = deploys.into_iter().map(Arc::new).collect();
        let old = if new.is_empty() {
            c.app_deploys.remove(&feed_key)
        } else {
            c.app_deploys.insert(feed_key.clone(), new)
        };
        if let Some(old) = old {
            c.replaced.extend(old);
        }
        c.dirty_apps.push(feed_key);
    }
}

/// A Deployment's revisions as deploys, newest first: those created in the feed window (the
/// newest always), except the ones an Argo CD sync already stands for. A ReplicaSet's
/// creation is when the change reached the cluster: it is both start and finish (kubectl
/// records no end), so the suspect rule reads it as Argo CD's finish.
fn kube_deploys(s: &WorkloadSummary, now: DateTime<Utc>) -> Vec<Deploy> {
    if s.workload.key.kind != WorkloadKind::Deployment {
        return Vec::new();
    }
    let horizon = now - Duration::days(DEPLOY_FEED_DAYS);
    let current = s.workload.revision;
    s.revisions
        .iter()
        .enumerate()
        .filter(|(i, r)| *i == 0 || r.revision.created.is_none_or(|t| t >= horizon))
        .filter(|(_, r)| r.via_argocd.is_none())
        .map(|(i, r)| {
            let mut d = kube_deploy(s, r, current);
            // The current revision came back while sitrep watched (an undo re-used an older
            // ReplicaSet): it happened when it was seen, and going back is a rollback.
            if let Some((rev, seen)) = s.revision_seen_at
                && current == Some(rev)
                && r.revision.revision == rev
                && r.revision.created.is_none_or(|c| c < seen)
            {
                d.started_at = Some(seen);
                d.finished_at = Some(seen);
                d.rollback = s
                    .revisions
                    .get(i + 1)
                    .and_then(|older| older.revision.created)
                    .zip(r.revision.created)
                    .is_some_and(|(older, this)| this < older);
            }
            d
        })
        .collect()
}

fn kube_deploy(s: &WorkloadSummary, r: &KubeRevision, current: Option<i64>) -> Deploy {
    let rev = &r.revision;
    let tags: Vec<&str> = rev.images.iter().map(|i| image_tag(i)).collect();
    let running_now = current == Some(rev.revision);
    let result = match (running_now, s.status.phase) {
        (true, RolloutPhase::Rolling | RolloutPhase::Paused) => DeployResult::Running,
        (true, RolloutPhase::Stuck) => DeployResult::Failed,
        _ => DeployResult::Succeeded,
    };
    let mut revision = format!("rev {}", rev.revision);
    if !tags.is_empty() {
        revision.push(' ');
        revision.push_str(&tags.join(","));
    }
    Deploy {
        app: kube_deploy_key(&s.workload.key),
        service: s.service.clone(),
        revision,
        history_id: Some(rev.revision),
        started_at: rev.created,
        finished_at: rev.created,
        initiator: rev
            .change_cause
            .clone()
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "kubernetes".to_string()),
        automated: false,
        result,
        rollback: false,
        suspect: false,
        origin: DeployOrigin::Kubernetes(Arc::new(KubeDeploy {
            workload: s.workload.key.clone(),
            replica_set: rev.replica_set.clone(),
            revision: rev.revision,
            images: rev.images.clone(),
            change_cause: rev.change_cause.clone(),
        })),
    }
}

/// The Deployments of a service's workloads, as feed keys.
pub(super) fn kube_feed_keys(index: &KubeIndex, service: &str) -> Vec<super::super::app::AppKey> {
    let keys: BTreeSet<_> = index
        .of_service(service)
        .filter(|s| s.workload.key.kind == WorkloadKind::Deployment)
        .map(|s| kube_deploy_key(&s.workload.key))
        .collect();
    keys.into_iter().collect()
}
