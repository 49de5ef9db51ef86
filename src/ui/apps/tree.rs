//! The resource tree of one app: unhealthy subtrees first, children indented under their
//! parent, each with its health, message, `info` and images. Ordered once per frame for the
//! open app only, bounded in nodes and rows.

use crate::model::Model;
use crate::model::app::{App, AppDetail, HealthStatus, TreeNode};
use crate::ui::argo;
use crate::ui::format::NONE;
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::collections::HashMap;

const TREE_COLS: [Col; 3] = [
    Col::flex("RESOURCE", 24, 56, 0),
    Col::fixed("HEALTH", 11, 0),
    Col::flex("DETAIL", 10, u16::MAX, 1),
];

/// Nodes walked at most when ordering a tree (a runaway tree must not stall a frame).
const MAX_TREE_NODES: usize = 5_000;

/// Tree rows in display order: (depth, node). Unhealthy subtrees first, children under their
/// parent; stops after `max` rows.
pub(super) fn tree_rows(tree: &[TreeNode], max: usize) -> (Vec<(usize, &TreeNode)>, usize) {
    let nodes = &tree[..tree.len().min(MAX_TREE_NODES)];
    let index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.uid.as_str(), i))
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut roots: Vec<usize> = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let parent = n
            .parent_uids
            .iter()
            .find_map(|p| index.get(p.as_str()).copied())
            .filter(|p| *p != i);
        match parent {
            Some(p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    // Worst health in each subtree (iteratively, guarding against parent cycles).
    let own = |n: &TreeNode| n.health.unwrap_or(HealthStatus::Healthy);
    let mut worst: Vec<Option<HealthStatus>> = vec![None; nodes.len()];
    fn subtree_worst(
        i: usize,
        nodes: &[TreeNode],
        children: &[Vec<usize>],
        worst: &mut Vec<Option<HealthStatus>>,
        own: &dyn Fn(&TreeNode) -> HealthStatus,
        depth: usize,
    ) -> HealthStatus {
        if let Some(w) = worst[i] {
            return w;
        }
        let mut w = own(&nodes[i]);
        worst[i] = Some(w); // cycle guard
        if depth < 64 {
            for &c in &children[i] {
                w = w.min(subtree_worst(c, nodes, children, worst, own, depth + 1));
            }
        }
        worst[i] = Some(w);
        w
    }
    for i in 0..nodes.len() {
        subtree_worst(i, nodes, &children, &mut worst, &own, 0);
    }
    let order = |v: &mut Vec<usize>| {
        v.sort_by(|a, b| {
            worst[*a]
                .cmp(&worst[*b])
                .then_with(|| nodes[*a].kind.cmp(&nodes[*b].kind))
                .then_with(|| nodes[*a].name.cmp(&nodes[*b].name))
        })
    };
    order(&mut roots);
    for c in &mut children {
        order(c);
    }
    let mut out: Vec<(usize, &TreeNode)> = Vec::new();
    let mut seen = vec![false; nodes.len()];
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|r| (0, *r)).collect();
    while let Some((depth, i)) = stack.pop() {
        if seen[i] {
            continue;
        }
        seen[i] = true;
        if out.len() == max {
            break;
        }
        out.push((depth, &nodes[i]));
        for &c in children[i].iter().rev() {
            stack.push((depth + 1, c));
        }
    }
    // Nodes only reachable through a parent cycle: list them flat rather than hide them.
    for (i, n) in nodes.iter().enumerate() {
        if out.len() == max {
            break;
        }
        if !seen[i] {
            out.push((0, n));
        }
    }
    let unhealthy = nodes
        .iter()
        .filter(|n| {
            n.health
                .is_some_and(|h| h != HealthStatus::Healthy && h != HealthStatus::Unknown)
        })
        .count();
    (out, unhealthy)
}

pub(super) fn draw(
    model: &Model,
    app: &App,
    detail: Option<&AppDetail>,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &model.theme;
    let mut title = vec![Span::raw(" Resources ")];
    let rows_h = usize::from(area.height.saturating_sub(3));
    let (rows, unhealthy) = match detail {
        Some(d) => tree_rows(&d.tree, rows_h),
        None => (Vec::new(), 0),
    };
    if let Some(d) = detail {
        title.push(Span::raw(format!("{} ", d.tree.len())));
        if unhealthy > 0 {
            title.push(Span::styled(
                format!("· {unhealthy} unhealthy "),
                theme.critical,
            ));
        }
    }
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, Line::from(title), false));
    if inner.is_empty() {
        return;
    }
    let Some(d) = detail else {
        put(buf, inner, inner.y, &widgets::muted(theme, " loading…"));
        return;
    };
    let mut y = inner.y;
    if let Some(err) = &d.error {
        put(
            buf,
            inner,
            y,
            &Line::from(Span::styled(
                format!(" ✗ {}", argo::one_line(err)),
                theme.critical,
            )),
        );
        y += 1;
    } else if d.resource_version != app.resource_version && !d.resource_version.is_empty() {
        put(
            buf,
            inner,
            y,
            &widgets::muted(
                theme,
                " the app changed since this was fetched: refreshing…",
            ),
        );
        y += 1;
    }
    if d.tree.is_empty() {
        if d.error.is_none() {
            put(buf, inner, y, &widgets::muted(theme, " no resources"));
        }
        return;
    }
    let widths = columns::layout(&TREE_COLS, inner.width.saturating_sub(1));
    put(
        buf,
        inner,
        y,
        &columns::header(&TREE_COLS, &widths, 1, theme.header),
    );
    y += 1;
    let room = usize::from(inner.bottom().saturating_sub(y));
    let total = d.tree.len();
    let show = if rows.len() < total && rows.len() >= room {
        room.saturating_sub(1)
    } else {
        room
    };
    for (depth, node) in rows.iter().take(show) {
        put(buf, inner, y, &tree_row(model, *depth, node, &widths));
        y += 1;
    }
    let shown = rows.len().min(show);
    if shown < total && y < inner.bottom() {
        put(
            buf,
            inner,
            y,
            &widgets::muted(
                theme,
                format!(" … {} more (healthy ones last)", total - shown),
            ),
        );
    }
}

fn tree_row<'a>(model: &Model, depth: usize, n: &'a TreeNode, widths: &'a [u16]) -> Line<'a> {
    let theme = &model.theme;
    let indent = if depth == 0 {
        String::new()
    } else {
        format!("{}└ ", "  ".repeat(depth.min(8) - 1))
    };
    let name = format!("{indent}{}/{}", n.kind, n.name);
    let (health, health_style) = match n.health {
        Some(h) => (h.word(), argo::health_style(theme, h)),
        None => (NONE, theme.muted),
    };
    let mut detail: Vec<(String, Style)> = Vec::new();
    if !n.health_message.is_empty() {
        detail.push((argo::one_line(&n.health_message), Style::default()));
    }
    for (k, v) in n.info.iter().take(3) {
        if !detail.is_empty() {
            detail.push((" · ".to_string(), theme.muted));
        }
        detail.push((format!("{k}: {v}"), theme.muted));
    }
    for img in n.images.iter().take(2) {
        if !detail.is_empty() {
            detail.push((" · ".to_string(), theme.muted));
        }
        detail.push((img.clone(), theme.accent));
    }
    let unhealthy = n
        .health
        .is_some_and(|h| h != HealthStatus::Healthy && h != HealthStatus::Unknown);
    RowBuilder::new(&TREE_COLS, widths)
        .prefix(Span::raw(" "))
        .cell(
            &name,
            if unhealthy {
                Style::default()
            } else {
                theme.text
            },
        )
        .cell(health, health_style)
        .spans(&detail)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(uid: &str, parent: &str, health: Option<HealthStatus>) -> TreeNode {
        TreeNode {
            kind: "Pod".to_string(),
            namespace: "shop".to_string(),
            name: uid.to_string(),
            uid: uid.to_string(),
            parent_uids: if parent.is_empty() {
                Vec::new()
            } else {
                vec![parent.to_string()]
            },
            health,
            health_message: String::new(),
            images: Vec::new(),
            info: Vec::new(),
            created_at: None,
        }
    }

    fn order(tree: &[TreeNode], max: usize) -> Vec<(usize, &str)> {
        tree_rows(tree, max)
            .0
            .into_iter()
            .map(|(d, n)| (d, n.uid.as_str()))
            .collect()
    }

    #[test]
    fn unhealthy_subtrees_first_children_under_parents() {
        use HealthStatus::{Degraded, Healthy};
        let tree = vec![
            node("a-ok", "", Some(Healthy)),
            node("b", "", Some(Healthy)),
            node("b-child-ok", "b", Some(Healthy)),
            node("b-child-bad", "b", Some(Degraded)),
            node("c-none", "", None),
        ];
        // `b` is healthy itself but holds a degraded child: its subtree goes first.
        assert_eq!(
            order(&tree, 10),
            vec![
                (0, "b"),
                (1, "b-child-bad"),
                (1, "b-child-ok"),
                (0, "a-ok"),
                (0, "c-none"),
            ]
        );
        assert_eq!(tree_rows(&tree, 10).1, 1);
        // Stops at `max` rows.
        assert_eq!(order(&tree, 2).len(), 2);
    }

    #[test]
    fn cycles_and_self_parents_are_listed_not_lost() {
        let tree = vec![
            node("x", "y", None),
            node("y", "x", None),
            node("me", "me", None),
        ];
        let rows = order(&tree, 10);
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert!(rows.contains(&(0, "me")));
    }
}
