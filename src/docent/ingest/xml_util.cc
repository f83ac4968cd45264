// pugixml helpers and OPC relationships for the zip+XML extractors.
#include "docent/ingest/xml_util.h"

#include <vector>

#include "docent/ingest/blocks.h"

namespace docent::ingest {

std::string_view LocalName(const char* name) {
  std::string_view n(name);
  const size_t colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

pugi::xml_node Child(const pugi::xml_node& node, std::string_view local) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (Is(c, local)) return c;
  }
  return {};
}

pugi::xml_node Descendant(const pugi::xml_node& node, std::string_view local) {
  pugi::xml_node found;
  Walk(node, [&](const pugi::xml_node& n) {
    if (!found && Is(n, local)) found = n;
    return !found;
  });
  return found;
}

std::string_view Attr(const pugi::xml_node& node, std::string_view local) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    if (LocalName(a.name()) == local) return a.value();
  }
  return {};
}

std::string_view PrefixedAttr(const pugi::xml_node& node, std::string_view local) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    const std::string_view name = a.name();
    if (name.find(':') != std::string_view::npos && LocalName(a.name()) == local) return a.value();
  }
  return {};
}

pugi::xml_node Path(const pugi::xml_node& node, std::initializer_list<std::string_view> path) {
  pugi::xml_node at = node;
  for (std::string_view step : path) {
    at = Child(at, step);
    if (!at) break;
  }
  return at;
}

Result<XmlDoc> ParseXml(std::string_view xml, std::string_view entry) {
  auto doc = std::make_unique<pugi::xml_document>();
  // parse_ws_pcdata keeps whitespace-only runs such as <w:t xml:space="preserve"> </w:t>,
  // which are the spaces between words; no DOCTYPE or entity expansion is ever done.
  const pugi::xml_parse_result parsed =
      doc->load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_ws_pcdata);
  if (!parsed) {
    return Corrupt(std::string(entry) + ": malformed XML (" + parsed.description() + " at byte " +
                   std::to_string(parsed.offset) + ")");
  }
  if (!doc->document_element()) return Corrupt(std::string(entry) + ": XML has no root element");
  return doc;
}

Result<XmlDoc> ReadXml(ZipArchive& zip, std::string_view entry) {
  DOCENT_ASSIGN_OR_RETURN(std::string xml, zip.Read(entry));
  return ParseXml(xml, entry);
}

Result<XmlDoc> ReadXmlIfPresent(ZipArchive& zip, std::string_view entry) {
  if (!zip.Has(entry)) return XmlDoc();
  return ReadXml(zip, entry);
}

std::string ResolvePartPath(std::string_view part, std::string_view target) {
  std::vector<std::string_view> segments;
  auto push = [&](std::string_view path) {
    size_t start = 0;
    while (start <= path.size()) {
      size_t end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      const std::string_view seg = path.substr(start, end - start);
      if (seg == "..") {
        if (!segments.empty()) segments.pop_back();
      } else if (!seg.empty() && seg != ".") {
        segments.push_back(seg);
      }
      start = end + 1;
    }
  };
  const size_t slash = part.rfind('/');
  if (!target.starts_with('/') && slash != std::string_view::npos) push(part.substr(0, slash));
  push(target);
  std::string out;
  for (std::string_view seg : segments) {
    if (!out.empty()) out += '/';
    out += seg;
  }
  return out;
}

Result<std::map<std::string, Relationship>> ReadRelationships(ZipArchive& zip,
                                                              std::string_view part) {
  const size_t slash = part.rfind('/');
  const std::string folder(slash == std::string_view::npos ? "" : part.substr(0, slash + 1));
  const std::string name(slash == std::string_view::npos ? part : part.substr(slash + 1));
  std::map<std::string, Relationship> rels;
  DOCENT_ASSIGN_OR_RETURN(XmlDoc doc, ReadXmlIfPresent(zip, folder + "_rels/" + name + ".rels"));
  if (!doc) return rels;
  for (pugi::xml_node r = doc->document_element().first_child(); r; r = r.next_sibling()) {
    if (!Is(r, "Relationship") || Attr(r, "TargetMode") == "External") continue;
    std::string_view type = Attr(r, "Type");
    type = type.substr(type.rfind('/') == std::string_view::npos ? 0 : type.rfind('/') + 1);
    rels[std::string(Attr(r, "Id"))] =
        Relationship{std::string(type), ResolvePartPath(part, Attr(r, "Target"))};
  }
  return rels;
}

std::string MainPartPath(ZipArchive& zip, std::string_view fallback) {
  auto rels = ReadRelationships(zip, "");
  if (rels.ok()) {
    for (const auto& [id, rel] : *rels) {
      if (rel.type == "officeDocument" && zip.Has(rel.target)) return rel.target;
    }
  }
  return std::string(fallback);
}

std::string ReadCoreTitle(ZipArchive& zip, std::vector<std::string>& warnings) {
  auto doc = ReadXmlIfPresent(zip, "docProps/core.xml");
  if (!doc.ok()) {
    warnings.push_back("document properties unreadable: " + doc.status().message());
    return {};
  }
  if (!*doc) return {};
  const pugi::xml_node title = Child((*doc)->document_element(), "title");
  return CollapseSpaces(title.text().get());
}

}  // namespace docent::ingest
