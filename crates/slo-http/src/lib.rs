#![doc = include_str!("../README.md")]

pub mod accept;
pub mod read_only;
