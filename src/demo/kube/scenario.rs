//! The scenario's cluster behind the API: the workloads (`cluster.rs`) kept in step with the
//! world's deploys and clock, rendered into the store on every tick and after every PATCH.

use super::KUBECTL_AUTHOR;
use super::cluster::{Cluster, Deployment};
use super::patch::{self, PatchType};
use super::render::render;
use super::status::ApiError;
use super::store::{Kind, Store};
use crate::demo::Shared;
use serde_json::Value;
use std::sync::{Arc, Mutex, MutexGuard};

pub struct Scenario {
    pub shared: Arc<Shared>,
    cluster: Mutex<Cluster>,
}

/// What a PATCH asked for.
pub struct PatchRequest<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    pub scale: bool,
    pub kind: PatchType,
    pub body: &'a Value,
    pub dry_run: bool,
}

impl Scenario {
    pub fn new(shared: Arc<Shared>) -> Scenario {
        let cluster = {
            let world = shared.world();
            Cluster::from_world(&world, shared.clock.offset())
        };
        Scenario {
            shared,
            cluster: Mutex::new(cluster),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Cluster> {
        self.cluster.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Time passed: follow the world's deploys, let the controller observe the last spec
    /// changes, publish what differs.
    pub fn tick(&self, store: &Store) {
        let mut cluster = self.lock();
        let at = self.shared.clock.offset();
        {
            let world = self.shared.world();
            cluster.follow_world(&world, at);
        }
        for d in &mut cluster.deployments {
            d.observed_generation = d.generation;
        }
        self.publish(&cluster, store);
    }

    fn publish(&self, cluster: &Cluster, store: &Store) {
        let at = self.shared.clock.offset();
        let objects = {
            let world = self.shared.world();
            render(cluster, &world, &self.shared.clock, at)
        };
        for (kind, list) in objects {
            store.replace_kind(kind, list);
        }
    }

    /// PATCH a Deployment (or its scale); answers the object as stored (or as it would be).
    pub fn patch(&self, store: &Store, req: PatchRequest) -> Result<Value, ApiError> {
        let not_found = || ApiError::not_found("deployments.apps", "apps", "deployments", req.name);
        let mut cluster = self.lock();
        let at = self.shared.clock.offset();
        {
            let world = self.shared.world();
            cluster.follow_world(&world, at);
        }
        let current = store
            .get(Kind::Deployment, req.namespace, req.name)
            .and_then(|j| serde_json::from_str::<Value>(&j).ok())
            .ok_or_else(not_found)?;
        let before = cluster
            .find_mut(req.namespace, req.name)
            .ok_or_else(not_found)?
            .clone();
        let mut object = current.clone();
        if req.scale {
            let mut scale = patch::scale_object(&current);
            patch::apply(req.kind, &mut scale, req.body)?;
            object["spec"]["replicas"] = scale["spec"]["replicas"].clone();
        } else {
            patch::apply(req.kind, &mut object, req.body)?;
        }
        // Name, namespace, uid and status are not the patch's to change.
        object["metadata"]["name"] = current["metadata"]["name"].clone();
        object["metadata"]["namespace"] = current["metadata"]["namespace"].clone();
        let mut after: Deployment = before.clone();
        patch::update(&mut after, &object, at)?;
        if req.dry_run {
            let mut alone = Cluster {
                deployments: vec![after],
            };
            let objects = {
                let world = self.shared.world();
                render(&alone, &world, &self.shared.clock, at)
            };
            alone.deployments.clear();
            let mut v = objects
                .get(&Kind::Deployment)
                .and_then(|l| l.first().cloned())
                .ok_or_else(not_found)?;
            v["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"].clone();
            return Ok(if req.scale {
                patch::scale_object(&v)
            } else {
                v
            });
        }
        if let (Some(app), Some(version)) = (after.app.clone(), patch::new_version(&before, &after))
        {
            // The image changed to a version the scenario knows: the world runs it now, as
            // after any rollback (alerts resolve a minute later; Argo CD sees OutOfSync).
            let mut world = self.shared.world();
            if let Ok(d) = world.rollback(&app, Some(&version), at, KUBECTL_AUTHOR) {
                after.applied_deploy = Some(d.id);
                if let Some(rs) = after.replica_sets.iter_mut().max_by_key(|rs| rs.revision) {
                    rs.pod_generation = rs.pod_generation.max(d.id);
                }
            }
        }
        if let Some(slot) = cluster.find_mut(req.namespace, req.name) {
            *slot = after;
        }
        self.publish(&cluster, store);
        let stored = store
            .get(Kind::Deployment, req.namespace, req.name)
            .and_then(|j| serde_json::from_str::<Value>(&j).ok())
            .ok_or_else(not_found)?;
        Ok(if req.scale {
            patch::scale_object(&stored)
        } else {
            stored
        })
    }
}
