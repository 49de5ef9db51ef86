//! Apps that share a cause form one group: one commit in one repository, one chart version,
//! one set of (kind, path, manager) changes, one comparison error. Ranked production first,
//! then size.
