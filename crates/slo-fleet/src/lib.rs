#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # In this crate
//!
//! From the spec, offline (what the `slo` command writes):
//!
//! - [`rules`]: recording and alerting rules that evaluate the SLOs over a
//!   whole fleet in Prometheus, in Sloth's names and labels (`slo rules`).
//! - [`dashboard`]: a Grafana dashboard over those rules, every SLO on its
//!   own period-scaled windows (`slo dashboard`).
//! - [`openslo`]: the SLOs as OpenSLO v1 documents whose indicators query
//!   the exported series, and the way back (`slo openslo`).
//!
//! From the history a PromQL API holds (feature `query`):
//!
//! - `query`: a PromQL HTTP API client (Prometheus, Thanos, Mimir,
//!   VictoriaMetrics), bounded in time and in what it reads.
//! - `report`: SLO reports over a calendar month, an ISO week or any range,
//!   as JSON, Markdown or HTML (`slo report`).
//! - `warm_start`: a new process's windows filled from that history at
//!   start.
//!
//! A service that only exports `/metrics` needs none of this: the series
//! these read are `slo-prometheus`'s.

pub mod dashboard;
pub mod matchers;
pub mod openslo;
#[cfg(feature = "query")]
#[cfg_attr(docsrs, doc(cfg(feature = "query")))]
pub mod query;
#[cfg(feature = "query")]
#[cfg_attr(docsrs, doc(cfg(feature = "query")))]
pub mod report;
pub mod rules;
#[cfg(feature = "query")]
#[cfg_attr(docsrs, doc(cfg(feature = "query")))]
pub mod suggest;
#[cfg(feature = "query")]
#[cfg_attr(docsrs, doc(cfg(feature = "query")))]
pub mod warm_start;
