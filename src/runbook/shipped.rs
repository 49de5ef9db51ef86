//! The runbooks shipped with sitrep, built into the binary: an installed sitrep has them
//! without a checkout. A file of the same name in a runbooks directory wins (edit your copy).
//! `tests/runbooks.rs` checks this list names every file of `runbooks/`.

/// (file name, text).
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "argocd-app-degraded.md",
        include_str!("../../runbooks/argocd-app-degraded.md"),
    ),
    (
        "argocd-apps-out-of-sync.md",
        include_str!("../../runbooks/argocd-apps-out-of-sync.md"),
    ),
    (
        "certificate-expiry.md",
        include_str!("../../runbooks/certificate-expiry.md"),
    ),
    (
        "high-error-rate.md",
        include_str!("../../runbooks/high-error-rate.md"),
    ),
    (
        "kube-pod-crash-looping.md",
        include_str!("../../runbooks/kube-pod-crash-looping.md"),
    ),
    (
        "latency-slo-burn.md",
        include_str!("../../runbooks/latency-slo-burn.md"),
    ),
    (
        "rollout-stuck.md",
        include_str!("../../runbooks/rollout-stuck.md"),
    ),
    (
        "target-down.md",
        include_str!("../../runbooks/target-down.md"),
    ),
];
