//! The real kubectl against the demo's emulated Kubernetes API: get, rollout history, and a
//! rollout undo that heals checkout (revision 8, v2.13.2) and tells the world (its alerts
//! resolve a minute later). Skipped, loudly, when kubectl is not installed.

use chrono::{TimeDelta, Utc};
use sitrep::demo::ScenarioClock;
use std::process::Command;

fn kubectl_available() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn kubectl(kubeconfig: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .env("HOME", kubeconfig.parent().unwrap())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "kubectl {args:?}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_gets_lists_history_and_undoes_checkout() {
    if !kubectl_available() {
        println!(
            "SKIP: install kubectl to run tests/demo_kubectl.rs (kubectl against the demo cluster)"
        );
        return;
    }
    let d = sitrep::demo::start_with(ScenarioClock::frozen(Utc::now(), 1.0))
        .await
        .unwrap();
    let kc = d.kubeconfig_path.clone();
    let run = |args: &'static [&'static str]| {
        let kc = kc.clone();
        tokio::task::spawn_blocking(move || kubectl(&kc, args))
    };
    let all = run(&["get", "deploy", "-A"]).await.unwrap();
    assert!(
        all.contains("checkout") && all.contains("recommendations"),
        "{all}"
    );
    let history = run(&["rollout", "history", "deploy/checkout", "-n", "checkout"])
        .await
        .unwrap();
    assert!(
        history.contains("7 ") && history.contains("v2.14.0"),
        "{history}"
    );
    assert!(
        history.contains("6 ") && history.contains("v2.13.2"),
        "{history}"
    );
    let undo = run(&["rollout", "undo", "deploy/checkout", "-n", "checkout"])
        .await
        .unwrap();
    assert!(undo.contains("rolled back"), "{undo}");
    let image = run(&["get", "deploy", "checkout", "-n", "checkout", "-o",
        "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision} {.spec.template.spec.containers[0].image}"])
        .await
        .unwrap();
    assert_eq!(image, "8 registry.example.com/acme/checkout:v2.13.2");
    let history = run(&["rollout", "history", "deploy/checkout", "-n", "checkout"])
        .await
        .unwrap();
    assert!(!history.contains("\n6 "), "revision 6 became 8: {history}");
    // The world knows: checkout runs v2.13.2 (by kubectl), its alerts resolve a minute later.
    let world = d.world();
    let at = d.clock().offset();
    let running = world.running("checkout-prod", at).unwrap();
    assert_eq!(
        (running.version.as_str(), running.author.as_str()),
        ("v2.13.2", "kubectl")
    );
    let checkout_firing = |t| {
        world
            .firing_at(t)
            .iter()
            .filter(|a| a.alert.label("service") == Some("checkout"))
            .count()
    };
    assert!(checkout_firing(at) > 0);
    assert_eq!(checkout_firing(at + TimeDelta::minutes(1)), 0);
    d.shutdown().await;
}
