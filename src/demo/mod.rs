//! The embedded demo world: a scripted incident, served by emulations of the systems sitrep
//! reads (Alertmanager API v2, Prometheus HTTP API, Argo CD API) on loopback ports, in their
//! real wire formats. sitrep's ordinary clients read these servers exactly as they read
//! production, so the demo exercises the same code; nothing in here is a shortcut into sitrep's
//! own logic.
//!
//! The world's state (script, deploy history, silences) is shared by the servers behind
//! mutexes held for microseconds; it belongs to the simulated remote systems, never to the app.
//!
//! The emulated Argo CD wants `Authorization: Bearer` [`DEMO_ARGOCD_TOKEN`].
//!
//! Demo-only control endpoints live on the Alertmanager server (see `control.rs`):
//! `POST /-/demo/rollback?app=checkout-prod[&to=v2.13.2][&by=NAME]`,
//! `GET /-/demo/clock`, `POST /-/demo/advance?by=90s`.

pub mod alertmanager;
pub mod argocd;
pub mod backstage;
pub mod clock;
mod control;
pub mod kube;
pub mod pagerduty;
pub mod people;
pub mod prometheus;
pub mod scenario;
mod script;
pub mod signals;

pub use argocd::{DEMO_ARGOCD_PASSWORD, DEMO_ARGOCD_TOKEN};
pub use backstage::DEMO_CATALOG_TOKEN;
pub use clock::{Offset, ScenarioClock};
pub use pagerduty::DEMO_PAGERDUTY_TOKEN;
pub use scenario::{Deploy, ScenarioError, World};

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What every emulated server shares: the clock, the world, Alertmanager's silences.
pub(crate) struct Shared {
    pub clock: ScenarioClock,
    world: Mutex<World>,
    silences: Mutex<alertmanager::SilenceStore>,
    /// The emulated Argo CD's apps (lock it before the world, never while holding it).
    pub argocd: argocd::Store,
    pub alertmanager_url: String,
    pub prometheus_url: String,
    /// Becomes true when the world stops (long-lived streams end on it).
    pub stopped: watch::Receiver<bool>,
}

impl Shared {
    /// A poisoned lock only means a handler panicked mid-request; the data is still usable.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn silences(&self) -> MutexGuard<'_, alertmanager::SilenceStore> {
        self.silences.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running demo world. Dropping it stops the servers; [`DemoWorld::shutdown`] stops them and
/// waits until they are gone.
pub struct DemoWorld {
    /// Base URL of the emulated Alertmanager, e.g. `http://127.0.0.1:41234` (no trailing `/`).
    pub alertmanager_url: String,
    /// Base URL of the emulated Prometheus.
    pub prometheus_url: String,
    /// Base URL of the emulated Argo CD API server (token: [`DEMO_ARGOCD_TOKEN`]).
    pub argocd_url: String,
    /// Base URL of the emulated Backstage backend (catalog under `/api/catalog`; token:
    /// [`DEMO_CATALOG_TOKEN`]).
    pub catalog_url: String,
    /// Base URL of the emulated PagerDuty REST API (key: [`DEMO_PAGERDUTY_TOKEN`]).
    pub pagerduty_url: String,
    /// Base URL of the emulated Kubernetes API server (token: [`kube::DEMO_KUBE_TOKEN`]).
    pub kube_url: String,
    /// A kubeconfig for it (context [`kube::DEMO_CONTEXT`]), removed when the world stops.
    pub kubeconfig_path: std::path::PathBuf,
    kubeconfig: Option<kube::KubeconfigFile>,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl DemoWorld {
    pub fn clock(&self) -> &ScenarioClock {
        &self.shared.clock
    }

    /// A copy of the world as it stands (script plus performed rollbacks).
    pub fn world(&self) -> World {
        self.shared.world().clone()
    }

    /// Roll an app back now (scenario time), like the control endpoint does: out of band,
    /// with its Argo CD auto-sync turned off first (or the emulated controller would sync it
    /// straight back to git).
    pub fn rollback(
        &self,
        app: &str,
        to_version: Option<&str>,
        by: &str,
    ) -> Result<Deploy, ScenarioError> {
        let at = self.shared.clock.offset();
        self.shared
            .world()
            .service_by_app(app)
            .ok_or_else(|| ScenarioError::UnknownApp(app.to_string()))?;
        self.shared.argocd.disable_auto_sync(app, at, by);
        self.shared.world().rollback(app, to_version, at, by)
    }

    /// Stop the servers and wait (briefly) for them to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        self.kubeconfig.take();
        for task in self.tasks.drain(..) {
            let abort = task.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(2), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for DemoWorld {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Start the demo world with a clock running at `speed` (1 = real time).
pub async fn start(speed: f64) -> anyhow::Result<DemoWorld> {
    start_with(ScenarioClock::new(speed)).await
}

/// Start the demo world on a given clock (tests use a frozen one and move it by hand).
pub async fn start_with(clock: ScenarioClock) -> anyhow::Result<DemoWorld> {
    // Port 0: the OS picks free ports, so parallel tests and demos never collide.
    let am = TcpListener::bind("127.0.0.1:0").await?;
    let prom = TcpListener::bind("127.0.0.1:0").await?;
    let argo = TcpListener::bind("127.0.0.1:0").await?;
    let catalog = TcpListener::bind("127.0.0.1:0").await?;
    let pagerduty = TcpListener::bind("127.0.0.1:0").await?;
    let kube_listener = TcpListener::bind("127.0.0.1:0").await?;
    let alertmanager_url = format!("http://{}", am.local_addr()?);
    let prometheus_url = format!("http://{}", prom.local_addr()?);
    let argocd_url = format!("http://{}", argo.local_addr()?);
    let catalog_url = format!("http://{}", catalog.local_addr()?);
    let pagerduty_url = format!("http://{}", pagerduty.local_addr()?);
    let kube_url = format!("http://{}", kube_listener.local_addr()?);
    let kubeconfig = kube::KubeconfigFile::write(
        &kube_url,
        kube::DEMO_KUBE_TOKEN,
        kube::DEMO_CONTEXT,
        kube::DEMO_NAMESPACE,
    )?;
    let world = World::demo();
    let silences = alertmanager::SilenceStore::seeded(&world, &clock);
    let (stop, stopped) = watch::channel(false);
    let shared = Arc::new(Shared {
        clock,
        argocd: argocd::Store::new(&world),
        world: Mutex::new(world),
        silences: Mutex::new(silences),
        alertmanager_url: alertmanager_url.clone(),
        prometheus_url: prometheus_url.clone(),
        stopped: stopped.clone(),
    });
    let am_router = alertmanager::router(shared.clone()).merge(control::router(shared.clone()));
    let mut tasks = vec![
        serve(am, am_router, stopped.clone()),
        serve(prom, prometheus::router(shared.clone()), stopped.clone()),
        serve(argo, argocd::router(shared.clone()), stopped.clone()),
        serve(catalog, backstage::router(shared.clone()), stopped.clone()),
        serve(
            pagerduty,
            pagerduty::router(shared.clone()),
            stopped.clone(),
        ),
        argocd::ticker(shared.clone(), stopped.clone()),
    ];
    tasks.extend(kube::spawn(shared.clone(), kube_listener, stopped));
    Ok(DemoWorld {
        alertmanager_url,
        prometheus_url,
        argocd_url,
        catalog_url,
        pagerduty_url,
        kube_url,
        kubeconfig_path: kubeconfig.path().to_path_buf(),
        kubeconfig: Some(kubeconfig),
        shared,
        stop,
        tasks,
    })
}

fn serve(
    listener: TcpListener,
    router: axum::Router,
    mut stopped: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        if let Err(e) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::warn!("demo server stopped: {e}");
        }
    })
}

/// `sitrep demo serve`: start the world, print one `name url` line per API, run until Ctrl-C
/// (or SIGTERM).
/// Serve until a signal; returns the signal's number so the exit status can say it (128 + n).
pub async fn serve_forever(speed: f64) -> anyhow::Result<i32> {
    let termination = Termination::listen()?;
    let demo = start(speed).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "alertmanager {}", demo.alertmanager_url)?;
        writeln!(out, "prometheus {}", demo.prometheus_url)?;
        writeln!(out, "argocd {}", demo.argocd_url)?;
        writeln!(out, "catalog {}", demo.catalog_url)?;
        writeln!(out, "pagerduty {}", demo.pagerduty_url)?;
        writeln!(out, "kubernetes {}", demo.kube_url)?;
        writeln!(out, "kubeconfig {}", demo.kubeconfig_path.display())?;
        out.flush()?;
    }
    eprintln!(
        "sitrep demo world running at speed {}; control endpoints under {}/-/demo/; \
         Argo CD token: {DEMO_ARGOCD_TOKEN}; catalog token: {DEMO_CATALOG_TOKEN}; \
         PagerDuty key: {DEMO_PAGERDUTY_TOKEN}; Ctrl-C stops it",
        demo.clock().speed(),
        demo.alertmanager_url
    );
    eprintln!(
        "Kubernetes (context {}): KUBECONFIG={} kubectl get pods -A",
        kube::DEMO_CONTEXT,
        demo.kubeconfig_path.display()
    );
    let signal = termination.wait().await?;
    demo.shutdown().await;
    Ok(signal)
}

/// `sitrep demo cluster`: a synthetic cluster alone, until a signal.
pub async fn serve_cluster_forever(spec: kube::SyntheticCluster) -> anyhow::Result<i32> {
    let termination = Termination::listen()?;
    let summary = format!(
        "{} pods, {} Deployments, {} ReplicaSets, {} pod updates/s",
        spec.pods, spec.deployments, spec.replicasets, spec.events_per_sec
    );
    let cluster = kube::serve_synthetic(spec).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "kubernetes {}", cluster.url)?;
        writeln!(out, "kubeconfig {}", cluster.kubeconfig_path().display())?;
        out.flush()?;
    }
    eprintln!(
        "synthetic cluster ({summary}), context {}: KUBECONFIG={} kubectl get deploy -A; Ctrl-C stops it",
        kube::SYNTHETIC_CONTEXT,
        cluster.kubeconfig_path().display()
    );
    let signal = termination.wait().await?;
    cluster.shutdown().await;
    Ok(signal)
}

/// SIGINT (2), SIGTERM (15) and SIGHUP (1), listened to from before the URLs are printed (a
/// signal sent as soon as they appear must not kill the process unhandled).
struct Termination {
    #[cfg(unix)]
    streams: [(i32, tokio::signal::unix::Signal); 3],
}

impl Termination {
    fn listen() -> anyhow::Result<Termination> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Termination {
                streams: [
                    (2, signal(SignalKind::interrupt())?),
                    (15, signal(SignalKind::terminate())?),
                    (1, signal(SignalKind::hangup())?),
                ],
            })
        }
        #[cfg(not(unix))]
        Ok(Termination {})
    }

    /// Which one came.
    async fn wait(mut self) -> anyhow::Result<i32> {
        #[cfg(unix)]
        {
            let [(a, sa), (b, sb), (c, sc)] = &mut self.streams;
            Ok(tokio::select! {
                _ = sa.recv() => *a,
                _ = sb.recv() => *b,
                _ = sc.recv() => *c,
            })
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await?;
            Ok(2)
        }
    }
}
