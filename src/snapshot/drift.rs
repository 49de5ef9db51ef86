//! `snapshot`'s fleet drift: the groups with their apps, the commit that moved them or the
//! fields that changed (and who changed them), as PRODUCT.md shapes `drift[]`.

use crate::drift::CauseKind;
use crate::model::Model;
use crate::model::drift::DriftGroup;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
pub struct DriftJson<'a> {
    cause: CauseKind,
    summary: &'a str,
    apps: Vec<AppRefJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision: Option<RevisionJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changes: Vec<ChangeJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct AppRefJson<'a> {
    instance: &'a str,
    namespace: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct RevisionJson<'a> {
    repo: &'a str,
    from: &'a str,
    to: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    group: &'a str,
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    manager: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    operation: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changed_at: Option<DateTime<Utc>>,
}

fn group_json(g: &DriftGroup) -> DriftJson<'_> {
    DriftJson {
        cause: g.cause,
        summary: &g.summary,
        apps: g
            .apps
            .iter()
            .map(|k| AppRefJson {
                instance: &k.instance,
                namespace: &k.namespace,
                name: &k.name,
            })
            .collect(),
        revision: g.revision.as_ref().map(|r| RevisionJson {
            repo: &r.repo,
            from: &r.from,
            to: &r.to,
            author: g.meta.as_ref().map(|m| m.author.as_str()),
            date: g.meta.as_ref().and_then(|m| m.date),
            message: g.meta.as_ref().map(|m| m.message.as_str()),
        }),
        changes: g
            .changes
            .iter()
            .map(|c| ChangeJson {
                group: &c.group,
                kind: &c.kind,
                namespace: &c.namespace,
                name: &c.name,
                path: &c.path,
                manager: c.writer.as_ref().map(|w| w.manager.as_str()),
                operation: c.writer.as_ref().map(|w| w.operation.as_str()),
                changed_at: c.writer.as_ref().and_then(|w| w.time),
            })
            .collect(),
        error: g.error.as_deref(),
    }
}

/// Every group, ranked (production first, then size).
pub fn drift_json(model: &Model) -> Vec<DriftJson<'_>> {
    model.drift.groups.iter().map(group_json).collect()
}

/// The text format's `DRIFT` section: one line per group, its apps below.
pub fn write_text(model: &Model, out: &mut impl Write) -> std::io::Result<()> {
    let groups = &model.drift.groups;
    if groups.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "DRIFT ({} OutOfSync or Unknown, {} by cause, production first)",
        crate::ui::format::plural(model.drift.unsynced(), "app"),
        crate::ui::format::plural(groups.len(), "group")
    )?;
    for g in groups {
        writeln!(out, "  {}", g.summary)?;
        let names: Vec<String> = g.apps.iter().take(8).map(|k| k.to_string()).collect();
        let more = g.apps.len().saturating_sub(names.len());
        writeln!(
            out,
            "      apps {}{}",
            names.join(", "),
            if more > 0 {
                format!(" … and {more} more")
            } else {
                String::new()
            }
        )?;
    }
    Ok(())
}
