//! The colour theme: follow the system (`prefers-color-scheme`, the default), or light or
//! dark as chosen in the footer. The choice is kept in local storage (`polyrun:theme`) and
//! set as `data-theme` on `<html>`, which style.css reads (`color-scheme`).

/// A theme choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// As the system is (no `data-theme`).
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// Every choice, in the order the switcher lists them.
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// The id kept in storage and used as the switcher's option value.
    pub fn id(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The name shown in the switcher.
    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "System",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }

    /// The `data-theme` attribute of `<html>`: none for the system's.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            other => Some(other.id()),
        }
    }

    /// A theme from its id; anything else (nothing kept, an old value) is the system's.
    pub fn parse(id: &str) -> Theme {
        Theme::ALL.into_iter().find(|t| t.id() == id).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_unknown_ids_follow_the_system() {
        for theme in Theme::ALL {
            assert_eq!(Theme::parse(theme.id()), theme);
        }
        assert_eq!(Theme::parse(""), Theme::System);
        assert_eq!(Theme::parse("Dark"), Theme::System);
        assert_eq!(Theme::parse("sepia"), Theme::System);
    }

    #[test]
    fn only_a_chosen_theme_sets_the_attribute() {
        assert_eq!(Theme::System.attribute(), None);
        assert_eq!(Theme::Light.attribute(), Some("light"));
        assert_eq!(Theme::Dark.attribute(), Some("dark"));
    }
}
