//! Kubernetes-style label selectors, as the catalog's `argocd/app-selector`,
//! `backstage.io/kubernetes-label-selector` and `prometheus.io/labels` write them:
//! `app=checkout,tier!=batch`, `env in (prod,staging)`, `env notin (dev)`, `canary`, `!canary`.

use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    Absent(String),
}

/// Every requirement must hold. An empty selector is rejected by `parse` (it would match
/// everything, which no annotation means).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector(Vec<Requirement>);

impl Selector {
    pub fn parse(text: &str) -> Option<Selector> {
        let mut reqs = Vec::new();
        for part in split_top_level(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            reqs.push(requirement(part)?);
        }
        (!reqs.is_empty()).then_some(Selector(reqs))
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => labels.get(k) == Some(v),
            Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|v| !vs.contains(v)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::Absent(k) => !labels.contains_key(k),
        })
    }
}

/// Commas separate requirements, except inside `( … )`.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn requirement(part: &str) -> Option<Requirement> {
    let key_ok = |k: &str| !k.is_empty() && !k.contains(char::is_whitespace);
    if let Some((k, v)) = part.split_once("!=") {
        let (k, v) = (k.trim(), v.trim());
        return key_ok(k).then(|| Requirement::NotEquals(k.into(), v.into()));
    }
    if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
        let (k, v) = (k.trim(), v.trim());
        return key_ok(k).then(|| Requirement::Equals(k.into(), v.into()));
    }
    for (word, negated) in [(" notin ", true), (" in ", false)] {
        if let Some((k, set)) = part.split_once(word) {
            let k = k.trim();
            let set = set.trim().strip_prefix('(')?.strip_suffix(')')?;
            let values = set.split(',').map(|v| v.trim().to_string()).collect();
            if !key_ok(k) {
                return None;
            }
            return Some(if negated {
                Requirement::NotIn(k.into(), values)
            } else {
                Requirement::In(k.into(), values)
            });
        }
    }
    match part.strip_prefix('!') {
        Some(k) if key_ok(k.trim()) => Some(Requirement::Absent(k.trim().into())),
        None if key_ok(part) => Some(Requirement::Exists(part.into())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_form() {
        let l = labels(&[("app", "checkout"), ("env", "prod")]);
        let yes = |s: &str| Selector::parse(s).unwrap().matches(&l);
        assert!(yes("app=checkout"));
        assert!(yes("app==checkout,env=prod"));
        assert!(!yes("app=checkout,env=dev"));
        assert!(yes("app!=search"));
        assert!(yes("env in (prod, staging)"));
        assert!(!yes("env notin (prod)"));
        assert!(yes("env notin (dev),app"));
        assert!(yes("!canary"));
        assert!(!yes("canary"));
        assert_eq!(Selector::parse(""), None);
        assert_eq!(Selector::parse(" , "), None);
        assert_eq!(Selector::parse("env in prod"), None);
        assert_eq!(Selector::parse("=x"), None);
    }
}
