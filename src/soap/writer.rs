//! Reply builder: a tiny element tree that handlers fill in schema order, serialized with every
//! element qualified in the request's namespace (a default `xmlns` on the outermost element).

use super::xml::escape;

/// One output element: either text or children.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Node {
    pub name: String,
    pub text: Option<String>,
    pub children: Vec<Node>,
}

impl Node {
    pub fn new(name: impl Into<String>) -> Self {
        Node {
            name: name.into(),
            ..Node::default()
        }
    }

    /// A leaf element with text.
    pub fn leaf(name: impl Into<String>, text: impl Into<String>) -> Self {
        Node {
            name: name.into(),
            text: Some(text.into()),
            children: Vec::new(),
        }
    }

    pub fn child(mut self, c: Node) -> Self {
        self.children.push(c);
        self
    }

    pub fn text_child(self, name: &str, text: impl Into<String>) -> Self {
        self.child(Node::leaf(name, text))
    }

    /// Adds a leaf only when `v` is Some.
    pub fn opt(self, name: &str, v: Option<impl Into<String>>) -> Self {
        match v {
            Some(t) => self.text_child(name, t),
            None => self,
        }
    }

    pub fn push(&mut self, c: Node) {
        self.children.push(c);
    }

    /// An array wrapper: `<name><items>..</items>..</name>`; each item node is renamed `items`.
    pub fn array(name: &str, items: impl IntoIterator<Item = Node>) -> Self {
        let mut n = Node::new(name);
        for mut it in items {
            it.name = "items".into();
            n.children.push(it);
        }
        n
    }

    /// A StringArray / HandleArray wrapper.
    pub fn string_array(name: &str, items: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self::array(name, items.into_iter().map(|s| Node::leaf("items", s)))
    }

    /// Serializes with `xmlns="ns"` on this element so every descendant is qualified.
    pub fn to_xml_with_default_ns(&self, ns: &str) -> String {
        let mut out = String::new();
        self.write(&mut out, Some(ns));
        out
    }

    fn write(&self, out: &mut String, ns: Option<&str>) {
        out.push('<');
        out.push_str(&self.name);
        if let Some(ns) = ns {
            out.push_str(" xmlns=\"");
            out.push_str(&escape(ns));
            out.push('"');
        }
        if self.text.is_none() && self.children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        if let Some(t) = &self.text {
            out.push_str(&escape(t));
        }
        for c in &self.children {
            c.write(out, None);
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }

    /// Finds a direct child by name (used by tests and field filtering).
    pub fn get(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_qualified_and_escaped() {
        let n = Node::new("copyImageReturn").text_child("assetHandle", "a|1&2");
        assert_eq!(
            n.to_xml_with_default_ns("urn:x"),
            r#"<copyImageReturn xmlns="urn:x"><assetHandle>a|1&amp;2</assetHandle></copyImageReturn>"#
        );
        assert_eq!(
            Node::new("deleteAssetReturn").to_xml_with_default_ns("urn:x"),
            r#"<deleteAssetReturn xmlns="urn:x"/>"#
        );
    }

    #[test]
    fn arrays_rename_items() {
        let n = Node::string_array("nameArray", ["a", "b"]);
        assert_eq!(n.children.len(), 2);
        assert!(n.children.iter().all(|c| c.name == "items"));
    }
}
