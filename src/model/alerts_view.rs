//! The Alerts screen's derived rows: alerts filtered (matchers + fuzzy text) and grouped by the
//! `group_by` labels, like Alertmanager's routing groups. Rebuilt when alerts or the filter
//! change, never while drawing.

use super::alert::{Alert, AlertState, Severity};
use super::silence::{CompiledMatcher, Matcher};
use super::store::AlertStore;
use super::text_match::TextQuery;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub enum AlertsRow {
    Group(GroupRow),
    /// An alert (shared with the store).
    Alert(Arc<Alert>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    /// The group_by labels and their values; `key` joins them for collapse state.
    pub labels: Vec<(String, String)>,
    pub key: String,
    pub count: usize,
    pub firing: usize,
    pub worst: Severity,
    pub collapsed: bool,
}

#[derive(Debug, Clone, Default)]
pub struct AlertsView {
    pub rows: Vec<AlertsRow>,
    /// Group keys the user collapsed.
    pub collapsed: HashSet<String>,
    /// Why the filter text could not be used, shown under the filter.
    pub filter_error: Option<String>,
    /// Alerts that passed the filter.
    pub matched: usize,
}

/// A parsed filter: tokens that look like matchers are matchers; the rest is text (see
/// [`TextQuery`]). A matcher that does not parse is left out and reported, so the rows shown
/// are always those of the part of the filter that is valid, and the message says so.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub matchers: Vec<CompiledMatcher>,
    pub text: String,
    /// `token: why` for every token that was ignored.
    pub errors: Vec<String>,
}

impl AlertFilter {
    pub fn parse(input: &str) -> AlertFilter {
        let mut f = AlertFilter::default();
        let mut words = Vec::new();
        for token in split_tokens(input) {
            if looks_like_matcher(&token) {
                match Matcher::parse(&token) {
                    Ok(m) => f.matchers.push(m.compile()),
                    Err(e) => f.errors.push(e),
                }
            } else {
                words.push(token);
            }
        }
        f.text = words.join(" ");
        f
    }

    /// Whether an alert's labels pass every matcher.
    pub fn labels_match(&self, labels: &super::alert::Labels) -> bool {
        self.matchers.iter().all(|m| m.matches(labels))
    }
}

/// What the filter line says about the tokens left out, or None when all of them apply.
pub fn filter_error(filter: &AlertFilter) -> Option<String> {
    (!filter.errors.is_empty()).then(|| {
        format!(
            "{} — ignored: the rows match the rest of the filter",
            filter.errors.join("; ")
        )
    })
}

/// `name=value`, `name!=value`, `name=~re`, `name!~re`: a label name, then an operator.
fn looks_like_matcher(token: &str) -> bool {
    token.find(['=', '!']).is_some_and(|p| {
        p > 0
            && token[..p]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// The fields an alert's text is matched against: its label values (its name among them), its
/// summary and its state.
pub fn alert_fields(alert: &super::alert::Alert) -> impl Iterator<Item = &str> + Clone {
    alert
        .labels
        .values()
        .map(String::as_str)
        .chain([alert.summary(), alert.state.word()])
}

/// Split on whitespace and commas, keeping quoted values (`summary="a b"`) whole.
fn split_tokens(input: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in input.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => {
                cur.push(c);
                escaped = true;
            }
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            c if !quoted && (c.is_whitespace() || c == ',') => {
                if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    tokens
}

impl AlertsView {
    /// `keep` narrows the alerts first (`:team`).
    pub fn rebuild(
        &mut self,
        store: &mut AlertStore,
        group_by: &[String],
        filter_text: &str,
        keep: &dyn Fn(&Alert) -> bool,
    ) {
        let filter = AlertFilter::parse(filter_text);
        self.filter_error = filter_error(&filter);
        let mut text = TextQuery::new(&filter.text);

        // Most urgent first within each group: the store's order, computed once.
        let ranked = store.ranked_cached();
        // Keys borrow the alerts' label values: no allocation per alert. The final order is
        // set by the sort below, so a HashMap is fine.
        let mut groups: HashMap<Vec<&str>, Vec<&Arc<Alert>>> = HashMap::new();
        let mut matched = 0;
        for alert in ranked {
            if !keep(alert) || !filter.labels_match(&alert.labels) {
                continue;
            }
            if !text.is_empty() && !text.matches(alert_fields(alert)) {
                continue;
            }
            matched += 1;
            let key: Vec<&str> = group_by
                .iter()
                .map(|l| alert.labels.get(l).map(String::as_str).unwrap_or(""))
                .collect();
            groups.entry(key).or_default().push(alert);
        }

        let mut grouped: Vec<(GroupRow, Vec<&Arc<Alert>>)> = groups
            .into_iter()
            .map(|(values, members)| {
                let labels: Vec<(String, String)> = group_by
                    .iter()
                    .zip(values)
                    .map(|(l, v)| (l.clone(), v.to_string()))
                    .collect();
                let key = labels
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",");
                let firing = members
                    .iter()
                    .filter(|a| a.state == AlertState::Firing)
                    .count();
                let worst = members
                    .iter()
                    .filter(|a| a.state.is_active())
                    .map(|a| a.severity())
                    .min()
                    .unwrap_or(Severity::None);
                let collapsed = self.collapsed.contains(&key);
                (
                    GroupRow {
                        labels,
                        key,
                        count: members.len(),
                        firing,
                        worst,
                        collapsed,
                    },
                    members,
                )
            })
            .collect();
        // Groups with firing alerts first, worst severity first, then bigger groups.
        grouped.sort_by(|(a, _), (b, _)| {
            (a.firing == 0, a.worst, std::cmp::Reverse(a.count), &a.key).cmp(&(
                b.firing == 0,
                b.worst,
                std::cmp::Reverse(b.count),
                &b.key,
            ))
        });

        self.rows.clear();
        for (group, members) in grouped {
            let collapsed = group.collapsed;
            self.rows.push(AlertsRow::Group(group));
            if !collapsed {
                self.rows
                    .extend(members.into_iter().map(|a| AlertsRow::Alert(Arc::clone(a))));
            }
        }
        self.matched = matched;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_splits_matchers_from_text() {
        let f = AlertFilter::parse(r#"severity=critical checkout summary="a b""#);
        assert_eq!(f.matchers.len(), 2);
        assert_eq!(f.text, "checkout");
        assert!(f.errors.is_empty());
    }

    /// A half-typed regex is reported and ignored; the rest of the filter still applies, so the
    /// rows shown are what the message says they are.
    #[test]
    fn an_invalid_matcher_is_ignored_and_named() {
        let f = AlertFilter::parse("severity=~( checkout");
        assert!(f.matchers.is_empty());
        assert_eq!(f.text, "checkout");
        assert_eq!(f.errors.len(), 1);
        assert_eq!(f.errors[0], "bad regex in `severity=~(`: unclosed group");
    }
}
