//! The emulated API server end to end over HTTP: lists, watches, patches, logs.
