//! Integration tests: one binary, a fresh PostgreSQL database per test, the app driven through
//! Rocket's local async client.

mod helpers;

mod admin_guard;
mod avatar;
mod binary;
mod example_host;
mod faults;
mod hardening;
mod host_parts;
mod host_tables;
mod ignition;
mod json_errors;
mod languages;
mod mail_delivery;
mod migrations;
mod openapi;
mod private_cluster;
mod production;
mod rate_limits;
mod recovery_flow;
mod recovery_operations;
mod recovery_request;
mod reset_page;
mod resources;
mod self_service;
