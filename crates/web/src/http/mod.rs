//! HTTP plumbing shared by the pages and the API; it imports no feature.
//!
//! | module | what |
//! | --- | --- |
//! | [`error`] | the one error type, its status, its rendering as a page or JSON |
//! | [`i18n`] | the page language and every UI string (界面文字) |
//! | [`render`] | rendering a template, redirects |
//! | [`form`] | query and form values: cleaning, encoding, page numbers |
//! | [`download`] | a file as a download |
//! | [`multipart`] | reading an upload form into a temporary folder |
//! | [`cookie`] | reading and setting cookies |
//! | [`client`] | the client's address (audit of failed sign-ins) |
//! | [`assets`] | the style sheet, the health check |
//! | [`limits`] | body limits and request timeouts |

pub mod assets;
pub mod client;
pub mod cookie;
pub mod download;
pub mod error;
pub mod form;
pub mod i18n;
pub mod limits;
pub mod multipart;
pub mod render;
pub mod server;
