//! The applications the emulated Argo CD manages: one per scenario service in the control
//! namespace `argocd` (single-source Kustomize paths, except `api-gateway-prod`, a Helm chart
//! with values from the deploy repo), plus platform add-ons in `argocd-apps` (Argo CD's "apps
//! in any namespace"), whose history lives in a small world of their own: they are part of the
//! estate, not of the incident.

use super::drift;
use super::view::OpRecord;
use crate::demo::clock::Offset;
use crate::demo::scenario::{Deploy, DeployKind, Service, World, commit_for, fnv64};
use chrono::TimeDelta;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The namespace Argo CD runs in (and the default `appNamespace`).
pub const CONTROL_NS: &str = "argocd";
/// Where the add-on apps live.
pub const ADDON_NS: &str = "argocd-apps";
pub const IN_CLUSTER: &str = "https://kubernetes.default.svc";
const REGISTRY: &str = "registry.example.com/acme";
const PLATFORM_REPO: &str = "https://git.example.com/acme/platform.git";
const CHART_REPO: &str = "https://charts.example.com/acme";
/// Services whose apps sync by hand: search is OutOfSync because nobody synced it yet.
const MANUAL_SYNC: [&str; 2] = ["search", "ledger"];
/// Auto-synced apps that also self-heal (Argo CD reverts changes made in the cluster). The
/// rest, checkout among them, auto-sync new commits only: a `kubectl rollout undo` holds.
const SELF_HEAL: [&str; 3] = ["cart", "payments-api", "auth"];

/// A Helm chart at a pinned version, values from a git repo (a two-source app).
#[derive(Clone, Debug)]
pub struct Chart {
    pub repo: String,
    pub chart: String,
    pub version: String,
    pub values_repo: String,
    pub values_file: String,
}

/// What never changes about an app.
#[derive(Clone, Debug)]
pub struct AppDef {
    pub name: String,
    pub namespace: String,
    /// History lives in the add-on world, not the scenario's.
    pub addon: bool,
    pub team: String,
    pub dest_namespace: String,
    /// Deployment, container and Service name.
    pub workload: String,
    /// Image without its tag (the tag is the deployed version).
    pub image: String,
    pub replicas: u32,
    pub repo: String,
    pub path: String,
    pub chart: Option<Chart>,
    /// A second source: the shared redis chart (`drift::SHARED_CHARTS_REPO`).
    pub shared_chart: bool,
    pub uid: String,
    pub created: Offset,
    pub external_urls: Vec<String>,
}

impl AppDef {
    /// `ns/name` outside the control namespace, like Argo CD's `QualifiedName`.
    pub fn qualified(&self) -> String {
        if self.namespace == CONTROL_NS {
            self.name.clone()
        } else {
            format!("{}/{}", self.namespace, self.name)
        }
    }

    pub fn image_of(&self, version: &str) -> String {
        format!("{}:{version}", self.image)
    }

    /// `status.sync.revisions` / history `revisions` of a multi-source app for a commit, as
    /// of `at` (the shared chart's branch moves).
    pub fn revisions(&self, commit: &str, at: Offset) -> Option<Vec<String>> {
        if let Some(c) = &self.chart {
            return Some(vec![c.version.clone(), commit.to_string()]);
        }
        self.shared_chart.then(|| {
            vec![
                commit.to_string(),
                super::drift::chart_commit_at(at).to_string(),
            ]
        })
    }
}

/// One app: its definition and what the API can change.
#[derive(Debug)]
pub struct App {
    pub def: AppDef,
    /// `spec` as stored (PATCH edits it).
    pub spec: Value,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub generation: u64,
    /// Operations started through the API (dry runs, syncs, rollbacks, automated syncs).
    pub ops: Vec<OpRecord>,
    /// (when, who) of each spec update, for the app's events.
    pub updates: Vec<(Offset, String)>,
    /// `metadata.resourceVersion` and the app as last published (without it).
    pub rv: u64,
    pub last: Option<Value>,
}

impl App {
    fn new(def: AppDef, automated: bool) -> App {
        let mut labels = BTreeMap::new();
        labels.insert(
            "app.kubernetes.io/part-of".to_string(),
            def.workload.clone(),
        );
        labels.insert("team".to_string(), def.team.clone());
        labels.insert("env".to_string(), "prod".to_string());
        let mut annotations = BTreeMap::new();
        annotations.insert(
            "notifications.argoproj.io/subscribe.on-health-degraded.slack".to_string(),
            format!("{}-oncall", def.team),
        );
        let spec = spec(&def, automated);
        App {
            def,
            spec,
            labels,
            annotations,
            generation: 1,
            ops: Vec::new(),
            updates: Vec::new(),
            rv: 0,
            last: None,
        }
    }

    /// Auto-sync is on: `spec.syncPolicy.automated` is present and not `enabled: false`.
    pub fn automated(&self) -> bool {
        match self.spec.pointer("/syncPolicy/automated") {
            Some(Value::Object(a)) => a.get("enabled") != Some(&Value::Bool(false)),
            _ => false,
        }
    }

    pub fn project(&self) -> &str {
        self.spec["project"].as_str().unwrap_or("default")
    }
}

fn spec(def: &AppDef, automated: bool) -> Value {
    let mut spec = json!({
        "project": def.team,
        "destination": {"server": IN_CLUSTER, "namespace": def.dest_namespace},
    });
    match &def.chart {
        Some(c) => {
            spec["sources"] = json!([
                {"repoURL": c.repo, "chart": c.chart, "targetRevision": c.version,
                 "helm": {"valueFiles": [format!("$values/{}", c.values_file)]}},
                {"repoURL": c.values_repo, "targetRevision": "HEAD", "ref": "values"},
            ]);
        }
        None if def.shared_chart => {
            spec["sources"] = json!([
                {"repoURL": def.repo, "path": def.path, "targetRevision": "HEAD"},
                {"repoURL": drift::SHARED_CHARTS_REPO, "path": drift::SHARED_CHART_PATH,
                 "targetRevision": drift::SHARED_CHARTS_BRANCH},
            ]);
        }
        None => {
            spec["source"] =
                json!({"repoURL": def.repo, "path": def.path, "targetRevision": "HEAD"});
        }
    }
    let mut policy = json!({"syncOptions": ["CreateNamespace=true"]});
    if automated {
        let self_heal = def.addon || SELF_HEAL.contains(&def.workload.as_str());
        policy["automated"] = json!({"prune": true, "selfHeal": self_heal});
    }
    spec["syncPolicy"] = policy;
    spec
}

/// How many pods a service's Deployment runs (checkout 4, the rest 2–4).
pub fn replicas_for(service: &str) -> u32 {
    if service == "checkout" {
        4
    } else {
        2 + (fnv64(service) % 3) as u32
    }
}

/// A well-spread stable hash (FNV of near-identical strings shares its high bits).
pub fn hash(seed: &str) -> u64 {
    let mut x = fnv64(seed);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d049bb133111eb);
    x ^ (x >> 31)
}

/// A stable UUID-shaped id.
pub fn uid(seed: &str) -> String {
    let a = hash(seed);
    let b = hash(&format!("{seed}#uid"));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// Every app, and the add-ons' world.
pub fn catalog(world: &World) -> (Vec<App>, World) {
    let mut apps: Vec<App> = world
        .services
        .iter()
        .map(|s| {
            let first = world
                .history(&s.app, TimeDelta::MAX)
                .first()
                .map(|d| d.at)
                .unwrap_or_default();
            let chart = (s.name == "api-gateway").then(|| Chart {
                repo: CHART_REPO.to_string(),
                chart: s.name.clone(),
                version: "1.4.2".to_string(),
                values_repo: s.repo.clone(),
                values_file: format!("{}/values.yaml", s.path),
            });
            let external_urls = match s.team.as_str() {
                "storefront" | "platform" => vec![format!("https://{}.example.com", s.name)],
                _ => Vec::new(),
            };
            let def = AppDef {
                name: s.app.clone(),
                namespace: CONTROL_NS.to_string(),
                addon: false,
                team: s.team.clone(),
                dest_namespace: s.namespace.clone(),
                workload: s.name.clone(),
                image: format!("{REGISTRY}/{}", s.name),
                replicas: replicas_for(&s.name),
                repo: s.repo.clone(),
                path: s.path.clone(),
                chart,
                shared_chart: drift::CHART_APPS.contains(&s.name.as_str()),
                uid: uid(&s.app),
                created: first - TimeDelta::days(30),
                external_urls,
            };
            // The apps on the shared chart sync by hand: a chart change is rolled out deliberately.
            let automated = !MANUAL_SYNC.contains(&s.name.as_str()) && !def.shared_chart;
            App::new(def, automated)
        })
        .collect();
    let mut addons = World {
        teams: Vec::new(),
        services: Vec::new(),
        deploys: Vec::new(),
        alerts: Vec::new(),
        silences: Vec::new(),
    };
    for (name, ns, image, versions, chart) in ADDONS {
        let chart = chart.map(|(repo, chart, version)| Chart {
            repo: repo.to_string(),
            chart: chart.to_string(),
            version: version.to_string(),
            values_repo: PLATFORM_REPO.to_string(),
            values_file: format!("platform/{name}/values.yaml"),
        });
        let def = AppDef {
            name: name.to_string(),
            namespace: ADDON_NS.to_string(),
            addon: true,
            team: "platform".to_string(),
            dest_namespace: ns.to_string(),
            workload: name.to_string(),
            image: image.to_string(),
            replicas: 2,
            repo: PLATFORM_REPO.to_string(),
            path: format!("platform/{name}"),
            chart,
            shared_chart: false,
            uid: uid(&format!("{ADDON_NS}/{name}")),
            created: -TimeDelta::days(200),
            external_urls: Vec::new(),
        };
        addons.services.push(Service {
            name: name.to_string(),
            team: "platform".to_string(),
            description: String::new(),
            app: name.to_string(),
            namespace: ns.to_string(),
            repo: def.repo.clone(),
            path: def.path.clone(),
            drift: None,
        });
        for (i, (version, author, days_ago)) in versions.iter().enumerate() {
            addons.deploys.push(Deploy {
                id: i as u64 + 1,
                app: name.to_string(),
                service: name.to_string(),
                version: version.to_string(),
                revision: commit_for(name, version),
                author: author.to_string(),
                automated: author.ends_with("-bot"),
                kind: DeployKind::Deploy,
                at: -TimeDelta::hours(days_ago * 24 + 3),
                rollout: TimeDelta::seconds(60),
                bad: false,
            });
        }
        apps.push(App::new(def, true));
    }
    (apps, addons)
}

type AddOn = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, i64)],
    Option<(&'static str, &'static str, &'static str)>,
);

/// (app, destination namespace, image, deploys (version, author, days ago), chart).
const ADDONS: [AddOn; 3] = [
    (
        "ingress-nginx",
        "ingress-nginx",
        "registry.k8s.io/ingress-nginx/controller",
        &[
            ("v1.11.2", "renovate-bot", 61),
            ("v1.11.3", "renovate-bot", 19),
        ],
        None,
    ),
    (
        "cert-manager",
        "cert-manager",
        "quay.io/jetstack/cert-manager-controller",
        &[("v1.15.3", "lee", 90), ("v1.16.1", "renovate-bot", 33)],
        None,
    ),
    (
        "kube-prometheus-stack",
        "monitoring",
        "quay.io/prometheus/prometheus",
        &[("v2.53.1", "tom", 75), ("v2.54.1", "tom", 12)],
        Some((
            "https://prometheus-community.github.io/helm-charts",
            "kube-prometheus-stack",
            "65.1.1",
        )),
    ),
];
