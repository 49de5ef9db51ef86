//! The catalog's entities as sitrep keeps them: only the fields it shows or joins on, already
//! cleaned and capped (`decode` does that once, at the boundary). Backstage's model: an entity
//! is `kind` + `metadata` + `spec` (+ `relations` when served by the catalog API).

use std::fmt;

/// The kinds sitrep uses; every other kind is ignored when decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    Component,
    Group,
    User,
    System,
}

impl EntityKind {
    /// The kind as Backstage writes it in references (`component`, `group`…).
    pub fn word(self) -> &'static str {
        match self {
            EntityKind::Component => "component",
            EntityKind::Group => "group",
            EntityKind::User => "user",
            EntityKind::System => "system",
        }
    }

    /// `Component`, `component`, `COMPONENT`: Backstage compares kinds case-insensitively.
    pub fn parse(word: &str) -> Option<EntityKind> {
        match word.to_ascii_lowercase().as_str() {
            "component" => Some(EntityKind::Component),
            "group" => Some(EntityKind::Group),
            "user" => Some(EntityKind::User),
            "system" => Some(EntityKind::System),
            _ => None,
        }
    }
}

/// The namespace of an entity that names none.
pub const DEFAULT_NAMESPACE: &str = "default";

/// `kind:namespace/name`, lower-cased (Backstage compares references case-insensitively).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityRef {
    pub kind: EntityKind,
    pub namespace: String,
    pub name: String,
}

impl EntityRef {
    pub fn new(kind: EntityKind, namespace: &str, name: &str) -> EntityRef {
        EntityRef {
            kind,
            namespace: namespace.to_ascii_lowercase(),
            name: name.to_ascii_lowercase(),
        }
    }

    /// A reference as Backstage writes them: `group:default/team-a`, `group:team-a`,
    /// `default/team-a` or `team-a`; the missing parts come from the defaults (for `spec.owner`:
    /// kind group, the entity's own namespace). A kind sitrep does not know is `None`.
    pub fn parse(
        text: &str,
        default_kind: EntityKind,
        default_namespace: &str,
    ) -> Option<EntityRef> {
        let text = text.trim();
        let (kind, rest) = match text.split_once(':') {
            Some((k, rest)) => (EntityKind::parse(k)?, rest),
            None => (default_kind, text),
        };
        let (namespace, name) = match rest.split_once('/') {
            Some((ns, name)) => (ns, name),
            None => (default_namespace, rest),
        };
        if name.is_empty() || namespace.is_empty() || name.contains('/') {
            return None;
        }
        Some(EntityRef::new(kind, namespace, name))
    }

    /// How a person reads it: `team-a`, or `ops/team-a` outside the default namespace.
    pub fn short(&self) -> String {
        if self.namespace == DEFAULT_NAMESPACE {
            self.name.clone()
        } else {
            format!("{}/{}", self.namespace, self.name)
        }
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.kind.word(), self.namespace, self.name)
    }
}

/// One of `metadata.links`: only `http(s)` and `mailto` URLs survive decoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub url: String,
    pub title: Option<String>,
    /// Backstage's `type` (`runbook`, `dashboard`, `slack`…), lower-cased.
    pub kind: Option<String>,
    pub icon: Option<String>,
}

impl Link {
    /// What the link is for, for display and matching: its `type`, else its `icon`, else a
    /// guess from its title (`Runbook`, `Grafana dashboard`).
    pub fn purpose(&self) -> Option<&str> {
        self.kind.as_deref().or(self.icon.as_deref())
    }
}

/// A small map of text (annotations, labels), kept as a sorted, exactly sized list: a
/// catalog of 10,000 components holds 20,000 of them, mostly of a handful of entries, where a
/// `BTreeMap` would spend half a kilobyte each.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct StrMap(Vec<(String, String)>);

impl StrMap {
    pub fn new() -> StrMap {
        StrMap(Vec::new())
    }
    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }
    pub fn get(&self, key: &str) -> Option<&String> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }
    /// Set `key` (the previous value, if any).
    pub fn insert(&mut self, key: String, value: String) -> Option<String> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.find(key).ok().map(|i| self.0.remove(i).1)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl serde::Serialize for StrMap {
    /// As a JSON object, keys in order.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl FromIterator<(String, String)> for StrMap {
    /// The first of equal keys wins (as a YAML mapping's duplicate key would be refused).
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> StrMap {
        let mut v: Vec<(String, String)> = iter.into_iter().collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v.dedup_by(|b, a| a.0 == b.0);
        v.shrink_to_fit();
        StrMap(v)
    }
}

/// What every kind carries (`metadata`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Meta {
    /// As written (case kept for display); compare through `EntityRef`.
    pub name: String,
    pub namespace: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub annotations: StrMap,
    pub labels: StrMap,
    pub tags: Vec<String>,
    pub links: Vec<Link>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ComponentSpec {
    /// `service`, `website`, `library`… (any value is kept).
    pub kind: Option<String>,
    pub lifecycle: Option<String>,
    /// `spec.owner`, resolved against the entity's namespace (kind group by default).
    pub owner: Option<EntityRef>,
    pub system: Option<EntityRef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct GroupSpec {
    /// `team`, `business-unit`…
    pub kind: Option<String>,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub parent: Option<EntityRef>,
    pub members: Vec<EntityRef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct UserSpec {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub member_of: Vec<EntityRef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SystemSpec {
    pub owner: Option<EntityRef>,
    pub domain: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spec {
    Component(ComponentSpec),
    Group(GroupSpec),
    User(UserSpec),
    System(SystemSpec),
}

/// One entity of a kind sitrep uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entity {
    pub kind: EntityKind,
    pub meta: Meta,
    pub spec: Spec,
    /// `relations[type=ownedBy]` targets (the catalog API computes them; they win over
    /// `spec.owner`, which may be a shorthand the processors resolved differently).
    pub owned_by: Vec<EntityRef>,
    /// `relations[type=partOf]` targets that are systems.
    pub part_of: Vec<EntityRef>,
}

impl Entity {
    pub fn entity_ref(&self) -> EntityRef {
        EntityRef::new(self.kind, &self.meta.namespace, &self.meta.name)
    }

    /// The owner: the `ownedBy` relation if the catalog computed one, else `spec.owner`.
    pub fn owner(&self) -> Option<&EntityRef> {
        self.owned_by.first().or(match &self.spec {
            Spec::Component(c) => c.owner.as_ref(),
            Spec::System(s) => s.owner.as_ref(),
            _ => None,
        })
    }

    /// The system a component is part of (relation first, then `spec.system`).
    pub fn system(&self) -> Option<&EntityRef> {
        self.part_of.first().or(match &self.spec {
            Spec::Component(c) => c.system.as_ref(),
            _ => None,
        })
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.meta
            .annotations
            .get(key)
            .map(String::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// A person's or team's name: `spec.profile.displayName`, then `metadata.title`, then
    /// the name.
    pub fn display_name(&self) -> &str {
        let profile = match &self.spec {
            Spec::Group(g) => g.display_name.as_deref(),
            Spec::User(u) => u.display_name.as_deref(),
            _ => None,
        };
        profile
            .or(self.meta.title.as_deref())
            .unwrap_or(&self.meta.name)
    }

    pub fn email(&self) -> Option<&str> {
        match &self.spec {
            Spec::Group(g) => g.email.as_deref(),
            Spec::User(u) => u.email.as_deref(),
            _ => None,
        }
    }
}

/// A `kind: Location` document: more files to read.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LocationSpec {
    /// `spec.type` (`url`, `file`); `None` means the same type as the file that named it.
    pub kind: Option<String>,
    /// `spec.target` and `spec.targets`, in order.
    pub targets: Vec<String>,
}

/// What one document of a catalog file or one item of the API is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    Entity(Box<Entity>),
    Location(LocationSpec),
    /// A kind sitrep does not use (API, Resource, Domain, Template…): skipped, not an error.
    Ignored(String),
}
