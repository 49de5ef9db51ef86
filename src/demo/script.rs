//! The demo's content: who owns what, what was deployed when, and which alerts fire when
//! (PRODUCT.md, "The demo world"). Offsets are scenario time: 0 = launch.
//!
//! Timeline at speed 1:
//! - −3 d         `Watchdog` firing (always, by design)
//! - −92 min      `KubeHpaMaxedOut` on inventory fires; −85 min alice silences it
//! - −25 min      git wants search v4.2.0; search-prod runs v4.1.3: OutOfSync, Healthy
//! - −18 min      search's Secret edited by hand (`kubectl edit`): live drift on top (Argo CD only)
//! - −15 min      alice's commit 4f2a1c9 to the shared redis chart: six apps that sync by hand
//!   (sessions, rate-limiter, feature-store, wishlist, promotions, loyalty) OutOfSync
//! - −9 min       catalog and reviews scaled 3 → 6 with `kubectl scale`: OutOfSync, same revision
//! - −6 min       translations Unknown: ComparisonError (a remote base's host does not resolve)
//!   (the drift lives in the emulated Argo CD: `argocd/drift.rs`)
//! - −6 min       checkout v2.14.0 by ci-bot; checkout-prod Degraded after its rollout
//! - −4 min 50 s  `HighErrorRate` (critical) fires on checkout; −4 min 30 s `KubePodCrashLooping`
//! - −1 min       `HighLatency` on checkout turns pending (fires at +9 min unless rolled back)
//! - +1 min       `KafkaConsumerLagHigh` on notifications fires, resolves +2 min 30 s
//! - +2 min       recommendations v3.8.0 by dana (rollout 45 s)
//! - +3 min       `HighLatency` (warning) fires on recommendations, resolves +6 min
//! - +4 min       `KafkaConsumerLagHigh` fires again, resolves +4 min 45 s
//! - +4 min       `DiskSpaceLow` (info) on search, stays
//! - rollback of checkout-prod at any t: its alerts resolve at t + 1 min

use super::clock::Offset;
use super::scenario::{
    Deploy, DeployKind, Drift, ScriptedAlert, ScriptedSilence, Service, Team, Window, World,
    commit_for, fnv64,
};
use super::signals::{SignalKind, SignalSpec};
use crate::model::alert::Labels;
use crate::model::silence::Matcher;
use chrono::TimeDelta;

/// The GitOps repository every app syncs from.
pub const DEPLOY_REPO: &str = "https://git.example.com/acme/deploy.git";

/// Each team has a `<team>-primary` on-call rotation and a `#<team>-oncall` channel.
const TEAMS: [&str; 9] = [
    "payments",
    "storefront",
    "identity",
    "discovery",
    "fulfillment",
    "comms",
    "platform",
    "data",
    "search",
];

/// (service, team, description). The first rows are the ones the story is about.
const FLEET: &[(&str, &str, &str)] = &[
    ("checkout", "payments", "Checkout flow and order placement"),
    ("recommendations", "discovery", "Product recommendations"),
    ("inventory", "fulfillment", "Stock levels and reservations"),
    (
        "search",
        "search",
        "Product search (Elasticsearch front end)",
    ),
    (
        "notifications",
        "comms",
        "Notification fan-out (Kafka consumer)",
    ),
    ("payments-api", "payments", "Card and wallet payments"),
    ("billing", "payments", "Invoices and subscriptions"),
    ("fraud-detection", "payments", "Risk scoring for orders"),
    ("ledger", "payments", "Double-entry ledger"),
    ("refunds", "payments", "Refund processing"),
    ("gift-cards", "payments", "Gift card balances"),
    ("cart", "storefront", "Shopping cart"),
    ("catalog", "storefront", "Product catalog"),
    ("product-pages", "storefront", "Product detail pages"),
    ("pricing", "storefront", "Prices and currency conversion"),
    ("promotions", "storefront", "Coupons and campaigns"),
    ("reviews", "storefront", "Product reviews"),
    ("wishlist", "storefront", "Saved items"),
    ("loyalty", "storefront", "Loyalty points"),
    ("store-locator", "storefront", "Physical store finder"),
    ("user-profile", "identity", "User profiles and preferences"),
    ("auth", "identity", "Login and tokens"),
    ("sessions", "identity", "Session store"),
    ("accounts", "identity", "Account lifecycle"),
    ("personalization", "discovery", "Personalised ranking"),
    ("feature-store", "discovery", "Online ML features"),
    ("orders", "fulfillment", "Order state machine"),
    ("shipping", "fulfillment", "Carrier integration and labels"),
    ("returns", "fulfillment", "Returns and exchanges"),
    ("tracking", "fulfillment", "Parcel tracking"),
    ("warehouse-sync", "fulfillment", "Warehouse system bridge"),
    ("email-sender", "comms", "Transactional email"),
    ("sms-gateway", "comms", "SMS delivery"),
    ("push-gateway", "comms", "Mobile push delivery"),
    ("api-gateway", "platform", "Public API gateway"),
    ("edge-proxy", "platform", "Edge routing and TLS"),
    ("config-service", "platform", "Runtime configuration"),
    ("rate-limiter", "platform", "Global rate limiting"),
    ("media-service", "platform", "Image and video storage"),
    ("image-resizer", "platform", "On-the-fly image resizing"),
    ("feature-flags", "platform", "Feature flag evaluation"),
    ("translations", "platform", "UI strings and locales"),
    ("reporting", "data", "Business reports"),
    ("analytics-ingest", "data", "Clickstream ingestion"),
    ("events-pipeline", "data", "Event bus to the warehouse"),
    ("audit-log", "data", "Audit trail"),
    ("search-indexer", "search", "Keeps the search index fresh"),
    ("autocomplete", "search", "Search suggestions"),
];

const AUTHORS: [&str; 8] = [
    "ci-bot", "ci-bot", "ci-bot", "maria", "priya", "sam", "tom", "lee",
];

fn m(n: i64) -> Offset {
    TimeDelta::minutes(n)
}

fn s(n: i64) -> Offset {
    TimeDelta::seconds(n)
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl World {
    /// The demo world of PRODUCT.md.
    pub fn demo() -> World {
        let teams = TEAMS
            .iter()
            .map(|t| Team {
                name: t.to_string(),
                oncall: format!("{t}-primary"),
                chat: format!("#{t}-oncall"),
            })
            .collect();
        let services = FLEET
            .iter()
            .map(|(name, team, description)| Service {
                name: name.to_string(),
                team: team.to_string(),
                description: description.to_string(),
                app: format!("{name}-prod"),
                namespace: name.to_string(),
                repo: DEPLOY_REPO.to_string(),
                path: format!("apps/{name}/prod"),
                drift: (*name == "search").then(|| Drift {
                    since: m(-25),
                    wanted_version: "v4.2.0".to_string(),
                }),
            })
            .collect();
        World {
            teams,
            services,
            deploys: deploys(),
            alerts: alerts(),
            silences: silences(),
        }
    }
}

/// One history entry; ids are assigned per app afterwards.
fn deploy(service: &str, version: &str, author: &str, at: Offset) -> Deploy {
    let app = format!("{service}-prod");
    Deploy {
        id: 0,
        revision: commit_for(&app, version),
        app,
        service: service.to_string(),
        version: version.to_string(),
        author: author.to_string(),
        automated: author.ends_with("-bot"),
        kind: DeployKind::Deploy,
        at,
        rollout: s(45),
        bad: false,
    }
}

fn deploys() -> Vec<Deploy> {
    let mut all = vec![
        deploy("checkout", "v2.13.1", "maria", m(-9 * 24 * 60 - 200)),
        deploy("checkout", "v2.13.2", "ci-bot", m(-2 * 24 * 60 - 185)),
        Deploy {
            bad: true,
            ..deploy("checkout", "v2.14.0", "ci-bot", m(-6))
        },
        deploy("recommendations", "v3.7.3", "ci-bot", m(-6 * 24 * 60 - 50)),
        deploy("recommendations", "v3.7.4", "ci-bot", m(-4 * 24 * 60 - 300)),
        deploy("recommendations", "v3.8.0", "dana", m(2)),
        deploy("search", "v4.1.2", "ci-bot", m(-8 * 24 * 60)),
        deploy("search", "v4.1.3", "sam", m(-3 * 24 * 60 - 75)),
        deploy("inventory", "v1.21.4", "ci-bot", m(-5 * 24 * 60)),
        deploy("inventory", "v1.22.0", "ci-bot", m(-26 * 60)),
        // Harmless recent changes: the change feed is never empty, and none is a suspect.
        deploy("cart", "v5.3.0", "ci-bot", m(-4 * 24 * 60)),
        deploy("cart", "v5.3.1", "ci-bot", m(-47)),
        deploy("user-profile", "v2.8.7", "priya", m(-12 * 24 * 60)),
        deploy("user-profile", "v2.9.0", "priya", m(-92)),
        deploy("notifications", "v1.18.1", "ci-bot", m(-6 * 24 * 60)),
        deploy("notifications", "v1.18.2", "ci-bot", m(-130)),
    ];
    // The rest of the fleet: two or three older deploys each, stable per name.
    for (name, _, _) in FLEET {
        if all.iter().any(|d| d.service == *name) {
            continue;
        }
        let h = fnv64(name);
        let major = 1 + h % 6;
        let minor = (h >> 8) % 30;
        let count = 2 + (h >> 16) % 2;
        let mut at = -(m(3 * 60) + m(((h >> 24) % (20 * 24 * 60)) as i64));
        for i in (0..count).rev() {
            let author = AUTHORS[((h >> (32 + i * 4)) % AUTHORS.len() as u64) as usize];
            let version = format!("v{major}.{minor}.{}", i * 8 + (h >> (40 + i * 3)) % 8);
            all.push(deploy(name, &version, author, at));
            at -= m(((h >> (48 + i * 2)) % (6 * 24 * 60)) as i64 + 24 * 60);
        }
    }
    all.sort_by(|a, b| (a.app.as_str(), a.at).cmp(&(b.app.as_str(), b.at)));
    let mut last: Option<(String, u64)> = None;
    for d in &mut all {
        let id = match &last {
            Some((app, id)) if *app == d.app => id + 1,
            _ => 1,
        };
        d.id = id;
        last = Some((d.app.clone(), id));
    }
    all
}

struct Rule<'a> {
    group: &'a str,
    file: &'a str,
    expr: String,
    hold: Offset,
}

fn scripted(
    rule: Rule<'_>,
    labels_: &[(&str, &str)],
    annotations: &[(&str, &str)],
    windows: &[(Offset, Option<Offset>)],
) -> ScriptedAlert {
    ScriptedAlert {
        group: rule.group.to_string(),
        file: format!("/etc/prometheus/rules/{}", rule.file),
        expr: rule.expr,
        hold: rule.hold,
        labels: labels(labels_),
        annotations: labels(annotations),
        windows: windows
            .iter()
            .map(|&(active_at, resolved_at)| Window {
                active_at,
                resolved_at,
            })
            .collect(),
        healed_by: None,
        signal: None,
    }
}

fn slo_rule(expr: String, hold: Offset) -> Rule<'static> {
    Rule {
        group: "slo.rules",
        file: "slo.yml",
        expr,
        hold,
    }
}

pub(super) fn error_ratio_expr(service: &str) -> String {
    format!(
        "sum(rate(http_requests_total{{service=\"{service}\",code=~\"5..\"}}[5m])) / sum(rate(http_requests_total{{service=\"{service}\"}}[5m])) > 0.05"
    )
}

fn latency_expr(service: &str) -> String {
    format!(
        "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{service=\"{service}\"}}[5m]))) > 1"
    )
}

fn alerts() -> Vec<ScriptedAlert> {
    let checkout_team = [
        ("service", "checkout"),
        ("namespace", "checkout"),
        ("team", "payments"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut v = checkout_team.to_vec();
        v.extend_from_slice(extra);
        v
    };
    vec![
        ScriptedAlert {
            healed_by: Some("checkout-prod".to_string()),
            signal: Some(SignalSpec::new(SignalKind::ErrorRatio, 0.002, 0.18)),
            ..scripted(
                slo_rule(error_ratio_expr("checkout"), m(1)),
                &with(&[("alertname", "HighErrorRate"), ("severity", "critical")]),
                &[
                    ("summary", "checkout is failing more than 5% of requests"),
                    (
                        "description",
                        "The 5xx ratio of checkout has been above 5% for more than 1 minute. Customers cannot place orders.",
                    ),
                    ("runbook_url", "high-error-rate.md"),
                ],
                &[(s(-350), None)],
            )
        },
        ScriptedAlert {
            healed_by: Some("checkout-prod".to_string()),
            signal: Some(SignalSpec::new(SignalKind::CrashLoop, 0.0, 1.0)),
            ..scripted(
                Rule {
                    group: "kubernetes-apps",
                    file: "kubernetes-apps.yml",
                    expr: "max_over_time(kube_pod_container_status_waiting_reason{reason=\"CrashLoopBackOff\",job=\"kube-state-metrics\"}[5m]) >= 1".to_string(),
                    hold: m(1),
                },
                &with(&[
                    ("alertname", "KubePodCrashLooping"),
                    ("severity", "warning"),
                    ("pod", "checkout-7d9f8b6c4-x2k9p"),
                    ("container", "checkout"),
                    ("job", "kube-state-metrics"),
                    ("reason", "CrashLoopBackOff"),
                ]),
                &[
                    ("summary", "Pod is crash looping."),
                    (
                        "description",
                        "Pod checkout/checkout-7d9f8b6c4-x2k9p (checkout) is in waiting state (reason: \"CrashLoopBackOff\").",
                    ),
                    (
                        "runbook_url",
                        "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping",
                    ),
                ],
                &[(s(-330), None)],
            )
        },
        ScriptedAlert {
            healed_by: Some("checkout-prod".to_string()),
            signal: Some(
                SignalSpec::new(SignalKind::LatencyP99, 0.25, 1.75).ramps(m(10), s(40)),
            ),
            ..scripted(
                Rule {
                    group: "checkout.rules",
                    file: "checkout.yml",
                    expr: latency_expr("checkout"),
                    hold: m(10),
                },
                &with(&[("alertname", "HighLatency"), ("severity", "warning")]),
                &[
                    ("summary", "checkout p99 latency is above 1s"),
                    (
                        "description",
                        "99th percentile latency of checkout has been above 1 second for 10 minutes.",
                    ),
                    ("runbook_url", "high-latency.md"),
                ],
                &[(m(-1), None)],
            )
        },
        ScriptedAlert {
            signal: Some(
                SignalSpec::new(SignalKind::LatencyP99, 0.18, 1.8).ramps(s(40), m(1)),
            ),
            ..scripted(
                slo_rule(latency_expr("recommendations"), s(30)),
                &[
                    ("alertname", "HighLatency"),
                    ("severity", "warning"),
                    ("service", "recommendations"),
                    ("namespace", "recommendations"),
                    ("team", "discovery"),
                ],
                &[
                    ("summary", "recommendations p99 latency is above 1s"),
                    (
                        "description",
                        "99th percentile latency of recommendations is above 1 second (cold caches after a rollout?).",
                    ),
                    ("runbook_url", "high-latency.md"),
                ],
                &[(s(150), Some(m(6)))],
            )
        },
        ScriptedAlert {
            signal: Some(SignalSpec::new(SignalKind::ConsumerLag, 120.0, 25_000.0)),
            ..scripted(
                Rule {
                    group: "kafka.rules",
                    file: "kafka.yml",
                    expr: "sum by (service, consumergroup) (kafka_consumergroup_lag{service=\"notifications\"}) > 10000".to_string(),
                    hold: s(15),
                },
                &[
                    ("alertname", "KafkaConsumerLagHigh"),
                    ("severity", "warning"),
                    ("service", "notifications"),
                    ("namespace", "notifications"),
                    ("team", "comms"),
                    ("consumergroup", "notifications-fanout"),
                ],
                &[
                    ("summary", "notifications is falling behind on its Kafka topic"),
                    (
                        "description",
                        "Consumer group notifications-fanout lags more than 10000 messages.",
                    ),
                ],
                &[(s(45), Some(s(150))), (s(225), Some(s(285)))],
            )
        },
        ScriptedAlert {
            signal: Some(SignalSpec::new(SignalKind::DiskFree, 0.14, 0.07).ramps(m(4), s(40))),
            ..scripted(
                Rule {
                    group: "node-exporter",
                    file: "node-exporter.yml",
                    expr: "node_filesystem_avail_bytes{mountpoint=\"/data\"} / node_filesystem_size_bytes{mountpoint=\"/data\"} < 0.10".to_string(),
                    hold: s(30),
                },
                &[
                    ("alertname", "DiskSpaceLow"),
                    ("severity", "info"),
                    ("service", "search"),
                    ("namespace", "search"),
                    ("team", "search"),
                    ("instance", "search-data-2:9100"),
                    ("mountpoint", "/data"),
                ],
                &[
                    ("summary", "Less than 10% disk space left on search-data-2:/data"),
                    (
                        "description",
                        "Filesystem /data on search-data-2 has less than 10% space left; it fills in about 3 days at this rate.",
                    ),
                ],
                &[(s(210), None)],
            )
        },
        ScriptedAlert {
            signal: Some(SignalSpec::new(SignalKind::HpaSaturation, 0.6, 1.0)),
            ..scripted(
                Rule {
                    group: "kubernetes-apps",
                    file: "kubernetes-apps.yml",
                    expr: "kube_horizontalpodautoscaler_status_current_replicas{job=\"kube-state-metrics\"} == kube_horizontalpodautoscaler_spec_max_replicas{job=\"kube-state-metrics\"}".to_string(),
                    hold: m(2),
                },
                &[
                    ("alertname", "KubeHpaMaxedOut"),
                    ("severity", "warning"),
                    ("service", "inventory"),
                    ("namespace", "inventory"),
                    ("team", "fulfillment"),
                    ("horizontalpodautoscaler", "inventory"),
                    ("job", "kube-state-metrics"),
                ],
                &[
                    ("summary", "HPA is running at max replicas"),
                    (
                        "description",
                        "HPA inventory/inventory has been running at max replicas for longer than 2 minutes.",
                    ),
                    (
                        "runbook_url",
                        "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubehpamaxedout",
                    ),
                ],
                &[(m(-94), None)],
            )
        },
        ScriptedAlert {
            signal: Some(SignalSpec::new(SignalKind::Constant, 1.0, 1.0)),
            ..scripted(
                Rule {
                    group: "general.rules",
                    file: "general.yml",
                    expr: "vector(1)".to_string(),
                    hold: TimeDelta::zero(),
                },
                &[("alertname", "Watchdog"), ("severity", "none")],
                &[
                    ("summary", "An alert that should always be firing to certify that Alertmanager is working properly."),
                    (
                        "description",
                        "This is an alert meant to ensure that the entire alerting pipeline is functional. It is always firing.",
                    ),
                    (
                        "runbook_url",
                        "https://runbooks.prometheus-operator.dev/runbooks/general/watchdog",
                    ),
                ],
                &[(m(-3 * 24 * 60), None)],
            )
        },
    ]
}

fn silences() -> Vec<ScriptedSilence> {
    vec![ScriptedSilence {
        // A fixed id keeps screenshots and snapshots stable.
        id: "4b1e6c3a-9f2d-4e8b-a7c5-0d3f2e1b9a68".to_string(),
        matchers: vec![
            Matcher::equal("alertname", "KubeHpaMaxedOut"),
            Matcher::equal("namespace", "inventory"),
        ],
        starts_at: m(-85),
        ends_at: m(4 * 60),
        created_by: "alice".to_string(),
        comment: "HPA maxed during the nightly stock sync; capacity bump tracked in INFRA-2291"
            .to_string(),
    }]
}
