//! Parsing, step 1 (spec/is-protocol.md §1.2–1.4, §1.7–1.8): splits modifier strings into
//! `name=value` elements, drops comments and empty elements, percent-decodes values and
//! substitutes `$var$` references. `parse` turns the elements into typed commands.

use super::error::ModifierError;
use std::collections::HashMap;

/// One command element: the name as written and its decoded, substituted value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub value: String,
}

/// Tokenizes `sources` in order (e.g. Modifier, request, PostModifier). Variable definitions
/// from all sources form one table (later definitions win), which is then substituted into
/// every command value; references to undefined variables stay literal (§1.8).
pub fn elements(sources: &[&str], errors: &mut ModifierError) -> Vec<Element> {
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for raw in sources.iter().flat_map(|s| s.split('&')) {
        if raw.is_empty() || raw.starts_with('.') {
            continue; // empty element or comment
        }
        let (name, value) = raw.split_once('=').unwrap_or((raw, ""));
        let value = match decode(value) {
            Ok(v) => v,
            Err(msg) => {
                errors.push(display_name(name), msg);
                continue;
            }
        };
        if let Some(var) = name.strip_prefix('$') {
            variable(raw, name, var, value, &mut vars, errors);
        } else if name.is_empty() {
            errors.push(raw, "missing command name");
        } else {
            out.push(Element {
                name: name.to_string(),
                value,
            });
        }
    }
    for e in &mut out {
        e.value = substitute(&e.value, &vars);
    }
    out
}

/// Handles an element whose name starts with `$`: a macro (`$name$`) or a definition.
fn variable(
    raw: &str,
    name: &str,
    var: &str,
    value: String,
    vars: &mut HashMap<String, String>,
    errors: &mut ModifierError,
) {
    if !raw.contains('=') && var.len() > 1 && var.ends_with('$') {
        errors.push(name, "macros are not supported");
    } else if valid_var_name(var) {
        vars.insert(var.to_ascii_lowercase(), value);
    } else {
        errors.push(
            name,
            format!("'{var}' is not a valid variable name (letters, digits, '-', '_', '.')"),
        );
    }
}

fn display_name(name: &str) -> &str {
    if name.is_empty() {
        "(unnamed)"
    } else {
        name
    }
}

fn valid_var_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Percent-decodes a value: `%xx` is an ISO-8859-1 code point, `+` is a space (§1.4 [Decide]).
pub fn decode(raw: &str) -> Result<String, String> {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match bytes[i] {
            b'+' => out.push(' '),
            b'%' => {
                let hex = raw
                    .get(i + 1..i + 3)
                    .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
                let Some(hex) = hex else {
                    return Err(format!("invalid percent-encoding in '{raw}'"));
                };
                let byte = u8::from_str_radix(hex, 16).map_err(|e| e.to_string())?;
                out.push(char::from(byte));
                i += 2;
            }
            _ => {
                let c = raw[i..].chars().next().unwrap_or_default();
                out.push(c);
                i += c.len_utf8() - 1;
            }
        }
        i += 1;
    }
    Ok(out)
}

/// Replaces each `$name$` whose (case-insensitive) name is defined; no nesting (§1.8).
fn substitute(value: &str, vars: &HashMap<String, String>) -> String {
    if vars.is_empty() || !value.contains('$') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find('$') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let hit = after.find('$').and_then(|end| {
            vars.get(&after[..end].to_ascii_lowercase())
                .map(|v| (end, v))
        });
        match hit {
            Some((end, v)) => {
                out.push_str(v);
                rest = &after[end + 1..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn els(s: &[&str]) -> (Vec<(String, String)>, ModifierError) {
        let mut e = ModifierError::default();
        let v = elements(s, &mut e);
        (v.into_iter().map(|e| (e.name, e.value)).collect(), e)
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn splits_skips_empty_and_comments() {
        let (v, e) = els(&[".cb=123&&wid=400&&.x&HEI=300&fmt&"]);
        assert!(e.is_empty());
        assert_eq!(v, pairs(&[("wid", "400"), ("HEI", "300"), ("fmt", "")]));
    }

    #[test]
    fn splits_at_first_equals_and_decodes() {
        let (v, _) = els(&["text=a=b&bgc=255%2C0%2c0&t=a+b%20c&u=%e9"]);
        assert_eq!(
            v,
            pairs(&[
                ("text", "a=b"),
                ("bgc", "255,0,0"),
                ("t", "a b c"),
                ("u", "é")
            ])
        );
    }

    #[test]
    fn bad_percent_encoding_is_an_error() {
        let (v, e) = els(&["wid=%zz&hei=1%"]);
        assert!(v.is_empty());
        assert_eq!(
            e.to_string(),
            "wid: invalid percent-encoding in '%zz'; hei: invalid percent-encoding in '1%'"
        );
    }

    #[test]
    fn missing_name_is_an_error() {
        let (_, e) = els(&["=5"]);
        assert_eq!(e.to_string(), "=5: missing command name");
    }

    #[test]
    fn variables_substitute_without_nesting() {
        let (v, e) = els(&["$var2=apple&$var1=my$var2$tree&text=$var1$&wid=$N$&x=$undef$"]);
        assert!(e.is_empty());
        assert_eq!(v[0], ("text".into(), "my$var2$tree".into()));
        assert_eq!(v[1], ("wid".into(), "$N$".into()));
        assert_eq!(v[2], ("x".into(), "$undef$".into()));
    }

    #[test]
    fn variables_use_merged_table_later_wins() {
        let (v, _) = els(&["$bg=ffffff&bgc=$bg$", "$BG=000000", ""]);
        assert_eq!(v, pairs(&[("bgc", "000000")]));
        let (v, _) = els(&["wid=$w$$w$&hei=$$w$", "$w=4"]);
        assert_eq!(v, pairs(&[("wid", "44"), ("hei", "$4")]));
    }

    #[test]
    fn macros_and_bad_variable_names_are_errors() {
        let (_, e) = els(&["$view$&$a b=1&$=2"]);
        assert_eq!(
            e.to_string(),
            "$view$: macros are not supported; \
             $a b: 'a b' is not a valid variable name (letters, digits, '-', '_', '.'); \
             $: '' is not a valid variable name (letters, digits, '-', '_', '.')"
        );
    }
}
