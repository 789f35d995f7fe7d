//! The app's components.

pub mod editor;
pub mod language_select;
pub mod markdown;
pub mod my_submissions;
pub mod packs;
pub mod problem_list;
pub mod results;
pub mod route_focus;
pub mod runtime_status;
pub mod share_bar;
pub mod shortcuts;
pub mod site_footer;
pub mod test_case_editor;
pub mod user_bar;
