// pugixml helpers for the zip+XML formats (docx, pptx, xlsx, hwpx): parsing an entry with an
// error that names it, matching elements by local name so any namespace prefix works, a
// walk that does not recurse, and OPC package relationships. Private to the ingest module.
#pragma once

#include <map>
#include <memory>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "docent/ingest/zip_archive.h"
#include "docent/util/status.h"

namespace docent::ingest {

// Nesting deeper than this (tables in tables in text boxes ...) is not followed by the
// recursive walkers: hostile files could otherwise exhaust the stack.
inline constexpr int kMaxXmlDepth = 48;

// The part of a name after its prefix: "t" for "w:t", "t" for "t".
std::string_view LocalName(const char* name);
inline bool Is(const pugi::xml_node& node, std::string_view local) {
  return node.type() == pugi::node_element && LocalName(node.name()) == local;
}
// The first child element with that local name (null node when none).
pugi::xml_node Child(const pugi::xml_node& node, std::string_view local);
// The first descendant element with that local name, in document order.
pugi::xml_node Descendant(const pugi::xml_node& node, std::string_view local);
// An attribute's value by local name ("" when absent): Attr(sldId, "id") finds r:id.
std::string_view Attr(const pugi::xml_node& node, std::string_view local);
// A prefixed attribute's value by local name: r:id where the element also has a plain id.
std::string_view PrefixedAttr(const pugi::xml_node& node, std::string_view local);
// The first child element whose attribute-free local name path from `node` is `path`.
pugi::xml_node Path(const pugi::xml_node& node, std::initializer_list<std::string_view> path);

// Visits the descendants of `root` in document order without recursion. `visit(node)`
// returns false to skip that node's children.
template <typename Visit>
void Walk(const pugi::xml_node& root, Visit&& visit) {
  pugi::xml_node node = root.first_child();
  while (node) {
    if (visit(node) && node.first_child()) {
      node = node.first_child();
      continue;
    }
    while (node != root && !node.next_sibling()) node = node.parent();
    if (node == root) break;
    node = node.next_sibling();
  }
}

using XmlDoc = std::unique_ptr<pugi::xml_document>;
// kCorrupt "<entry>: malformed XML (<reason> at byte N)" when the text does not parse.
Result<XmlDoc> ParseXml(std::string_view xml, std::string_view entry);
// Reads and parses a zip entry; errors name the entry.
Result<XmlDoc> ReadXml(ZipArchive& zip, std::string_view entry);
// As ReadXml, but a null XmlDoc when the entry is absent.
Result<XmlDoc> ReadXmlIfPresent(ZipArchive& zip, std::string_view entry);

struct Relationship {
  std::string type;    // the last segment of the type URI: "slide", "notesSlide", ...
  std::string target;  // a zip entry path, resolved against the source part's folder
};
// A part's relationships from <folder>/_rels/<name>.rels, by id; empty when there are none.
Result<std::map<std::string, Relationship>> ReadRelationships(ZipArchive& zip,
                                                              std::string_view part);
// Resolves `target` relative to the folder of `part` ("ppt/slides/slide1.xml" +
// "../notesSlides/n.xml" is "ppt/notesSlides/n.xml"); a leading '/' means the package root.
std::string ResolvePartPath(std::string_view part, std::string_view target);
// The OPC main part (the officeDocument relationship of _rels/.rels), else `fallback`.
std::string MainPartPath(ZipArchive& zip, std::string_view fallback);
// dc:title from docProps/core.xml, whitespace-collapsed; empty when absent. A damaged
// core.xml only costs the title, with a warning.
std::string ReadCoreTitle(ZipArchive& zip, std::vector<std::string>& warnings);

}  // namespace docent::ingest
