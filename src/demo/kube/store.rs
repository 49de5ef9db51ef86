//! The emulated API server's storage: every object with its `metadata.resourceVersion`, a
//! bounded window of recent changes for watches to resume from, and a signal that wakes
//! watchers. Objects are kept serialized (the big synthetic cluster holds tens of thousands);
//! a digest of the body without its resourceVersion tells a real change from a re-render.

use super::selector::Selector;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::watch;

/// The kinds served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Namespace,
    Pod,
    Event,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Namespace,
        Kind::Pod,
        Kind::Event,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::StatefulSet,
        Kind::DaemonSet,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::Pod => "Pod",
            Kind::Event => "Event",
            Kind::Deployment => "Deployment",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::StatefulSet => "StatefulSet",
            Kind::DaemonSet => "DaemonSet",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Kind::Namespace => "namespaces",
            Kind::Pod => "pods",
            Kind::Event => "events",
            Kind::Deployment => "deployments",
            Kind::ReplicaSet => "replicasets",
            Kind::StatefulSet => "statefulsets",
            Kind::DaemonSet => "daemonsets",
        }
    }

    /// `""` for the core group.
    pub fn group(self) -> &'static str {
        match self {
            Kind::Namespace | Kind::Pod | Kind::Event => "",
            _ => "apps",
        }
    }

    pub fn api_version(self) -> &'static str {
        match self.group() {
            "" => "v1",
            _ => "apps/v1",
        }
    }

    pub fn namespaced(self) -> bool {
        self != Kind::Namespace
    }

    /// `deployments.apps` / `pods`: how the API server names the resource in messages.
    pub fn resource(self) -> String {
        match self.group() {
            "" => self.plural().to_string(),
            g => format!("{}.{g}", self.plural()),
        }
    }

    pub fn from_plural(group: &str, plural: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.group() == group && k.plural() == plural)
    }

    /// Field selectors the API server accepts for this kind, and where each value lives.
    pub fn fields(self) -> &'static [(&'static str, &'static str)] {
        const META: [(&str, &str); 2] = [
            ("metadata.name", "/metadata/name"),
            ("metadata.namespace", "/metadata/namespace"),
        ];
        match self {
            Kind::Event => &[
                ("metadata.name", "/metadata/name"),
                ("metadata.namespace", "/metadata/namespace"),
                ("type", "/type"),
                ("reason", "/reason"),
                ("involvedObject.name", "/involvedObject/name"),
                ("involvedObject.kind", "/involvedObject/kind"),
                ("involvedObject.namespace", "/involvedObject/namespace"),
                ("involvedObject.uid", "/involvedObject/uid"),
            ],
            Kind::Pod => &[
                ("metadata.name", "/metadata/name"),
                ("metadata.namespace", "/metadata/namespace"),
                ("spec.nodeName", "/spec/nodeName"),
                ("status.phase", "/status/phase"),
            ],
            Kind::Namespace => &[
                ("metadata.name", "/metadata/name"),
                ("status.phase", "/status/phase"),
            ],
            _ => &META,
        }
    }

    pub fn field_names(self) -> Vec<&'static str> {
        self.fields().iter().map(|(n, _)| *n).collect()
    }
}

/// One stored object.
#[derive(Clone, Debug)]
struct Stored {
    rv: u64,
    digest: u64,
    labels: BTreeMap<String, String>,
    fields: BTreeMap<String, String>,
    /// The object as served, resourceVersion included.
    json: Arc<str>,
}

/// One change in the window watches resume from.
#[derive(Clone, Debug)]
struct Change {
    rv: u64,
    kind: Kind,
    event: &'static str,
    namespace: String,
    labels: BTreeMap<String, String>,
    fields: BTreeMap<String, String>,
    json: Arc<str>,
}

/// Which objects a list or watch asks for.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub namespace: Option<String>,
    pub labels: Selector,
    pub fields: Selector,
}

impl Filter {
    fn accepts(
        &self,
        namespace: &str,
        labels: &BTreeMap<String, String>,
        fields: &BTreeMap<String, String>,
    ) -> bool {
        self.namespace.as_deref().is_none_or(|ns| ns == namespace)
            && self.labels.matches(labels)
            && self.fields.matches(fields)
    }
}

/// A watch asked to resume from a resourceVersion older than the window.
#[derive(Debug, PartialEq)]
pub struct Gone {
    pub requested: u64,
    pub oldest: u64,
}

/// A page of a list.
#[derive(Debug)]
pub struct Page {
    pub resource_version: u64,
    pub items: Vec<Arc<str>>,
    /// Where the next page starts (namespace, name), when there is one.
    pub next: Option<(String, String)>,
    /// Items after this page (`metadata.remainingItemCount`).
    pub remaining: usize,
}

#[derive(Default)]
struct Inner {
    rv: u64,
    objects: HashMap<Kind, BTreeMap<(String, String), Stored>>,
    log: VecDeque<Change>,
    /// Every change up to this resourceVersion has left the window.
    compacted: u64,
}

pub struct Store {
    inner: Mutex<Inner>,
    window: usize,
    latest: watch::Sender<u64>,
}

fn digest(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn key_of(v: &Value) -> (String, String) {
    let s = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (s("/metadata/namespace"), s("/metadata/name"))
}

impl Store {
    /// A store whose watch window keeps the last `window` changes.
    pub fn new(window: usize) -> Store {
        Store {
            inner: Mutex::new(Inner {
                rv: 1000,
                compacted: 1000,
                ..Inner::default()
            }),
            window: window.max(1),
            latest: watch::channel(1000).0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes whenever the resourceVersion moves.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.latest.subscribe()
    }

    #[cfg(test)]
    pub fn resource_version(&self) -> u64 {
        self.lock().rv
    }

    fn record(
        &self,
        st: &mut Inner,
        kind: Kind,
        event: &'static str,
        stored: &Stored,
        namespace: String,
    ) {
        st.log.push_back(Change {
            rv: stored.rv,
            kind,
            event,
            namespace,
            labels: stored.labels.clone(),
            fields: stored.fields.clone(),
            json: stored.json.clone(),
        });
        while st.log.len() > self.window {
            if let Some(old) = st.log.pop_front() {
                st.compacted = old.rv;
            }
        }
    }

    fn stamp(kind: Kind, mut v: Value, rv: u64, digest: u64) -> Stored {
        v["metadata"]["resourceVersion"] = Value::String(rv.to_string());
        let labels = string_map(&v["metadata"]["labels"]);
        let fields = kind
            .fields()
            .iter()
            .filter_map(|(name, ptr)| {
                Some((name.to_string(), v.pointer(ptr)?.as_str()?.to_string()))
            })
            .collect();
        Stored {
            rv,
            digest,
            labels,
            fields,
            json: Arc::from(v.to_string()),
        }
    }

    /// Store one object (ADDED or MODIFIED unless nothing changed); returns it as served.
    pub fn put(&self, kind: Kind, object: Value) -> Arc<str> {
        let mut st = self.lock();
        let out = self.put_locked(&mut st, kind, object);
        let rv = st.rv;
        drop(st);
        self.latest.send_replace(rv);
        out
    }

    fn put_locked(&self, st: &mut Inner, kind: Kind, mut object: Value) -> Arc<str> {
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("resourceVersion");
        }
        let key = key_of(&object);
        let d = digest(&object.to_string());
        if let Some(old) = st.objects.get(&kind).and_then(|m| m.get(&key))
            && old.digest == d
        {
            return old.json.clone();
        }
        st.rv += 1;
        let stored = Store::stamp(kind, object, st.rv, d);
        let existed = st
            .objects
            .entry(kind)
            .or_default()
            .insert(key.clone(), stored.clone())
            .is_some();
        let event = if existed { "MODIFIED" } else { "ADDED" };
        self.record(st, kind, event, &stored, key.0);
        stored.json
    }

    /// Make `kind`'s objects exactly `objects`: ADDED, MODIFIED and DELETED for the difference.
    pub fn replace_kind(&self, kind: Kind, objects: Vec<Value>) {
        let mut st = self.lock();
        let mut keep = std::collections::HashSet::new();
        for o in objects {
            keep.insert(key_of(&o));
            self.put_locked(&mut st, kind, o);
        }
        let gone: Vec<(String, String)> = st
            .objects
            .get(&kind)
            .map(|m| m.keys().filter(|k| !keep.contains(*k)).cloned().collect())
            .unwrap_or_default();
        for key in gone {
            self.delete_locked(&mut st, kind, &key);
        }
        let rv = st.rv;
        drop(st);
        self.latest.send_replace(rv);
    }

    fn delete_locked(&self, st: &mut Inner, kind: Kind, key: &(String, String)) {
        let Some(old) = st.objects.get_mut(&kind).and_then(|m| m.remove(key)) else {
            return;
        };
        // The deleted object carries the resourceVersion of its deletion.
        st.rv += 1;
        let v: Value = serde_json::from_str(&old.json).unwrap_or_default();
        let stored = Store::stamp(kind, v, st.rv, 0);
        self.record(st, kind, "DELETED", &stored, key.0.clone());
    }

    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<Arc<str>> {
        self.lock()
            .objects
            .get(&kind)?
            .get(&(namespace.to_string(), name.to_string()))
            .map(|s| s.json.clone())
    }

    /// Objects of `kind` after `after` (exclusive), at most `limit` (0 = all), in
    /// (namespace, name) order.
    pub fn list(
        &self,
        kind: Kind,
        filter: &Filter,
        limit: usize,
        after: Option<&(String, String)>,
    ) -> Page {
        let st = self.lock();
        let mut items = Vec::new();
        let mut next = None;
        let mut remaining = 0;
        if let Some(all) = st.objects.get(&kind) {
            let range: Box<dyn Iterator<Item = (&(String, String), &Stored)>> = match after {
                Some(a) => Box::new(all.range::<(String, String), _>((
                    std::ops::Bound::Excluded(a.clone()),
                    std::ops::Bound::Unbounded,
                ))),
                None => Box::new(all.iter()),
            };
            for (key, s) in range {
                if !filter.accepts(&key.0, &s.labels, &s.fields) {
                    continue;
                }
                if limit > 0 && items.len() == limit {
                    remaining += 1;
                    continue;
                }
                if limit > 0 && items.len() + 1 == limit {
                    next = Some(key.clone());
                }
                items.push(s.json.clone());
            }
        }
        if remaining == 0 {
            next = None;
        }
        Page {
            resource_version: st.rv,
            items,
            next,
            remaining,
        }
    }

    /// Watch events (`{"type":…,"object":…}` lines) for changes after `since`, and the
    /// resourceVersion they bring the watcher to.
    pub fn changes_since(
        &self,
        kind: Kind,
        filter: &Filter,
        since: u64,
    ) -> Result<(Vec<String>, u64), Gone> {
        let st = self.lock();
        if since < st.compacted {
            return Err(Gone {
                requested: since,
                oldest: st.compacted,
            });
        }
        let start = st.log.partition_point(|c| c.rv <= since);
        let lines = st
            .log
            .range(start..)
            .filter(|c| c.kind == kind && filter.accepts(&c.namespace, &c.labels, &c.fields))
            .map(|c| event_line(c.event, &c.json))
            .collect();
        Ok((lines, st.rv.max(since)))
    }

    /// ADDED lines for everything that matches now (a watch from "0", or initial events).
    pub fn snapshot(&self, kind: Kind, filter: &Filter) -> (Vec<String>, u64) {
        let page = self.list(kind, filter, 0, None);
        let lines = page.items.iter().map(|j| event_line("ADDED", j)).collect();
        (lines, page.resource_version)
    }
}

pub fn event_line(event: &str, object: &str) -> String {
    format!("{{\"type\":\"{event}\",\"object\":{object}}}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, phase: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name, "namespace": "ns", "labels": {"app": "a"}},
               "status": {"phase": phase}})
    }

    #[test]
    fn unchanged_objects_keep_their_resource_version() {
        let s = Store::new(100);
        s.replace_kind(Kind::Pod, vec![pod("a", "Running"), pod("b", "Running")]);
        let rv = s.resource_version();
        s.replace_kind(Kind::Pod, vec![pod("a", "Running"), pod("b", "Running")]);
        assert_eq!(s.resource_version(), rv);
        s.replace_kind(Kind::Pod, vec![pod("a", "Failed")]);
        let (lines, now) = s.changes_since(Kind::Pod, &Filter::default(), rv).unwrap();
        assert_eq!(now, rv + 2);
        assert!(lines[0].starts_with("{\"type\":\"MODIFIED\""));
        assert!(lines[1].starts_with("{\"type\":\"DELETED\""));
        assert!(lines[1].contains(&format!("\"resourceVersion\":\"{}\"", rv + 2)));
    }

    #[test]
    fn a_resource_version_older_than_the_window_is_gone() {
        let s = Store::new(2);
        let start = s.resource_version();
        for i in 0..5 {
            s.put(Kind::Pod, pod(&format!("p{i}"), "Running"));
        }
        assert!(
            s.changes_since(Kind::Pod, &Filter::default(), start)
                .is_err()
        );
        let (lines, _) = s
            .changes_since(Kind::Pod, &Filter::default(), start + 3)
            .unwrap();
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn lists_page_in_name_order() {
        let s = Store::new(100);
        s.replace_kind(
            Kind::Pod,
            (0..5).map(|i| pod(&format!("p{i}"), "Running")).collect(),
        );
        let f = Filter::default();
        let p1 = s.list(Kind::Pod, &f, 2, None);
        assert_eq!((p1.items.len(), p1.remaining), (2, 3));
        let p2 = s.list(Kind::Pod, &f, 2, p1.next.as_ref());
        assert!(p2.items[0].contains("\"p2\""));
        let p3 = s.list(Kind::Pod, &f, 2, p2.next.as_ref());
        assert_eq!((p3.items.len(), p3.next.is_none()), (1, true));
        let fields = Selector::fields("status.phase=Failed", &Kind::Pod.field_names()).unwrap();
        let none = s.list(
            Kind::Pod,
            &Filter {
                fields,
                ..Filter::default()
            },
            0,
            None,
        );
        assert!(none.items.is_empty());
    }
}
