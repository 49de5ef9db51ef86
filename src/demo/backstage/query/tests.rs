use super::*;

fn catalog() -> Vec<(Value, Rows)> {
    let e = |kind: &str, name: &str, uid: &str, extra: Value| {
        let mut v = json!({"apiVersion": "backstage.io/v1alpha1", "kind": kind,
            "metadata": {"namespace": "default", "name": name, "uid": uid},
            "spec": {}, "relations": []});
        if let (Some(m), Value::Object(x)) = (v.as_object_mut(), extra) {
            m.extend(x);
        }
        v
    };
    index(vec![
        e(
            "Component",
            "checkout",
            "1",
            json!({"spec": {"type": "service"},
            "metadata": {"namespace": "default", "name": "checkout", "uid": "1",
                "tags": ["Java"], "annotations": {"backstage.io/kubernetes-id": "Checkout"}},
            "relations": [{"type": "ownedBy", "targetRef": "group:default/payments"}]}),
        ),
        e(
            "Component",
            "web",
            "2",
            json!({"spec": {"type": "website"}}),
        ),
        e("Group", "payments", "3", json!({"spec": {"type": "team"}})),
        e("User", "ann", "4", json!({})),
    ])
}

fn names(params: &[(&str, &str)]) -> Vec<String> {
    let p: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let page = by_query(&catalog(), &p).unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn filters_are_or_of_ands_case_insensitive() {
    assert_eq!(
        names(&[("filter", "kind=group"), ("filter", "kind=USER")]),
        ["payments", "ann"]
    );
    assert_eq!(
        names(&[("filter", "kind=component,spec.type=Service")]),
        ["checkout"]
    );
    assert_eq!(
        names(&[("filter", "kind=component,kind=group")]),
        ["checkout", "web", "payments"]
    );
    assert_eq!(
        names(&[(
            "filter",
            "metadata.annotations.backstage.io/kubernetes-id=checkout"
        )]),
        ["checkout"]
    );
    assert_eq!(names(&[("filter", "metadata.tags.java")]), ["checkout"]);
    assert_eq!(names(&[("filter", "metadata.tags=JAVA")]), ["checkout"]);
    assert_eq!(
        names(&[("filter", "relations.ownedby=group:default/payments")]),
        ["checkout"]
    );
    assert_eq!(
        names(&[("filter", "spec.type")]),
        ["checkout", "web", "payments"]
    );
    assert_eq!(
        names(&[("filter", "metadata.name=nope")]),
        Vec::<String>::new()
    );
    assert_eq!(names(&[("filter", " , ")]).len(), 4);
    let bad = [("filter".to_string(), "=x".to_string())];
    assert!(
        by_query(&catalog(), &bad)
            .unwrap_err()
            .0
            .starts_with("Invalid filter")
    );
}

#[test]
fn cursors_carry_the_query_and_fields_and_limit_are_per_request() {
    let p = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let first = by_query(
        &catalog(),
        &p(&[
            ("filter", "kind=component"),
            ("filter", "kind=group"),
            ("limit", "2"),
            ("fields", "metadata.name"),
        ]),
    )
    .unwrap();
    assert_eq!(first["totalItems"], 3);
    assert_eq!(
        first["items"],
        json!([{"metadata": {"name": "checkout"}}, {"metadata": {"name": "web"}}])
    );
    assert!(first["pageInfo"].get("prevCursor").is_none());
    let cursor = first["pageInfo"]["nextCursor"].as_str().unwrap();
    // A filter beside the cursor is ignored; fields and limit are honoured.
    let second = by_query(
        &catalog(),
        &p(&[
            ("cursor", cursor),
            ("filter", "kind=user"),
            ("fields", "kind"),
        ]),
    )
    .unwrap();
    assert_eq!(second["items"], json!([{"kind": "Group"}]));
    assert!(second["pageInfo"].get("nextCursor").is_none());
    assert!(second["pageInfo"]["prevCursor"].is_string());
    assert!(by_query(&catalog(), &p(&[("cursor", "!!")])).is_err());
    assert!(by_query(&catalog(), &p(&[("limit", "x")])).is_err());
}

#[test]
fn order_and_default_limit() {
    assert_eq!(
        names(&[("orderField", "metadata.name,asc")]),
        ["ann", "checkout", "payments", "web"]
    );
    assert_eq!(
        names(&[("orderField", "metadata.name,desc")]),
        ["web", "payments", "checkout", "ann"]
    );
    // spec.type is null for the user: last either way.
    assert_eq!(
        names(&[("orderField", "spec.type,desc")]),
        ["web", "payments", "checkout", "ann"]
    );
    assert_eq!(
        names(&[
            ("fullTextFilterTerm", "CHECK"),
            ("fullTextFilterFields", "metadata.name")
        ]),
        ["checkout"]
    );
    let many: Vec<(Value, Rows)> = (0..25)
        .map(|i| json!({"kind": "User", "metadata": {"name": format!("u{i}")}}))
        .map(|e| (e.clone(), search_rows(&e)))
        .collect();
    let page = by_query(&many, &[]).unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), DEFAULT_LIMIT);
    assert_eq!(page["totalItems"], 25);
}

#[test]
fn projection_keeps_only_the_named_subtrees() {
    let e = json!({"kind": "Component", "metadata": {"name": "a", "title": "A", "uid": "1"}, "spec": {"x": 1}});
    let f = |s: &[&str]| project(&e, &s.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(
        f(&["metadata.name", "spec", "nope.deeper"]),
        json!({"metadata": {"name": "a"}, "spec": {"x": 1}})
    );
    assert_eq!(f(&[]), e);
}
