// WritePptx: a PresentationML package (ECMA-376) that PowerPoint and Impress open: one slide
// master, one "Title and Content" layout, a theme, slides whose title sits in a title
// placeholder and bullets in the body placeholder, and notes slides for speaker notes.
#include <string>

#include "support/doc_writers.h"

namespace docent::testing {
namespace {

constexpr char kXmlHeader[] = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
constexpr char kNamespaces[] =
    " xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\""
    " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
    " xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"";
constexpr char kRelType[] = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
constexpr char kPmlType[] = "application/vnd.openxmlformats-officedocument.presentationml.";
// 16:9 slides and a portrait notes page, in EMU.
constexpr char kSlideSize[] = "<p:sldSz cx=\"12192000\" cy=\"6858000\"/>";
constexpr char kNotesSize[] = "<p:notesSz cx=\"6858000\" cy=\"9144000\"/>";
constexpr char kColorMap[] =
    "<p:clrMap bg1=\"lt1\" tx1=\"dk1\" bg2=\"lt2\" tx2=\"dk2\" accent1=\"accent1\" "
    "accent2=\"accent2\" accent3=\"accent3\" accent4=\"accent4\" accent5=\"accent5\" "
    "accent6=\"accent6\" hlink=\"hlink\" folHlink=\"folHlink\"/>";
constexpr char kGroupProps[] =
    "<p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>"
    "<p:grpSpPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"0\" cy=\"0\"/>"
    "<a:chOff x=\"0\" y=\"0\"/><a:chExt cx=\"0\" cy=\"0\"/></a:xfrm></p:grpSpPr>";

struct Rel {
  std::string type;  // last segment of the relationship type URI
  std::string target;
};

std::string Rels(const std::vector<Rel>& rels) {
  std::string xml =
      std::string(kXmlHeader) +
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  for (size_t i = 0; i < rels.size(); ++i) {
    xml += "<Relationship Id=\"rId" + std::to_string(i + 1) + "\" Type=\"" + kRelType +
           rels[i].type + "\" Target=\"" + rels[i].target + "\"/>";
  }
  return xml + "</Relationships>";
}

std::string Lang(const std::string& text) {
  return internal::HasHangul(text) ? "lang=\"ko-KR\" altLang=\"en-US\"" : "lang=\"en-US\"";
}

// One a:p per element of `paragraphs`; an empty list still needs one (empty) paragraph.
std::string TextBody(const std::vector<std::string>& paragraphs) {
  std::string xml = "<p:txBody><a:bodyPr/><a:lstStyle/>";
  for (const std::string& text : paragraphs) {
    xml += "<a:p><a:r><a:rPr " + Lang(text) + " dirty=\"0\"/><a:t>" + XmlEscape(text) +
           "</a:t></a:r></a:p>";
  }
  if (paragraphs.empty()) xml += "<a:p><a:endParaRPr lang=\"en-US\"/></a:p>";
  return xml + "</p:txBody>";
}

// A placeholder shape. `ph` is the p:ph attributes; `xfrm` an a:xfrm or empty to inherit the
// position from the layout/master; `body` a p:txBody or empty (the notes slide image has none).
std::string Placeholder(int id, const std::string& name, const std::string& ph,
                        const std::string& xfrm, const std::string& body) {
  return "<p:sp><p:nvSpPr><p:cNvPr id=\"" + std::to_string(id) + "\" name=\"" + name +
         "\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph " + ph +
         "/></p:nvPr></p:nvSpPr><p:spPr>" + xfrm +
         (xfrm.empty() ? "" : "<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom>") + "</p:spPr>" +
         body + "</p:sp>";
}

std::string Xfrm(long x, long y, long cx, long cy) {
  return "<a:xfrm><a:off x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) +
         "\"/><a:ext cx=\"" + std::to_string(cx) + "\" cy=\"" + std::to_string(cy) +
         "\"/></a:xfrm>";
}

// A theme with the parts the schema requires: 12 colours, a font scheme (East Asian faces
// for Hangul) and three entries in each format-scheme list.
std::string Theme() {
  std::string xml = std::string(kXmlHeader) +
                    "<a:theme xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
                    "name=\"Docent\"><a:themeElements><a:clrScheme name=\"Docent\">"
                    "<a:dk1><a:sysClr val=\"windowText\" lastClr=\"000000\"/></a:dk1>"
                    "<a:lt1><a:sysClr val=\"window\" lastClr=\"FFFFFF\"/></a:lt1>";
  const char* colors[][2] = {{"dk2", "1F2937"},     {"lt2", "E5E7EB"},     {"accent1", "2563EB"},
                             {"accent2", "DC2626"}, {"accent3", "16A34A"}, {"accent4", "CA8A04"},
                             {"accent5", "7C3AED"}, {"accent6", "0891B2"}, {"hlink", "0563C1"},
                             {"folHlink", "954F72"}};
  for (const auto& [name, rgb] : colors) {
    xml += std::string("<a:") + name + "><a:srgbClr val=\"" + rgb + "\"/></a:" + name + ">";
  }
  const std::string fonts =
      "<a:latin typeface=\"Calibri\"/><a:ea typeface=\"Malgun Gothic\"/>"
      "<a:cs typeface=\"\"/>";
  xml += "</a:clrScheme><a:fontScheme name=\"Docent\"><a:majorFont>" + fonts +
         "</a:majorFont><a:minorFont>" + fonts +
         "</a:minorFont></a:fontScheme>"
         "<a:fmtScheme name=\"Docent\">";
  const std::string fill = "<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>";
  const std::string line = "<a:ln w=\"6350\">" + fill + "</a:ln>";
  const std::string effect = "<a:effectStyle><a:effectLst/></a:effectStyle>";
  xml += "<a:fillStyleLst>" + fill + fill + fill + "</a:fillStyleLst><a:lnStyleLst>" + line + line +
         line + "</a:lnStyleLst><a:effectStyleLst>" + effect + effect + effect +
         "</a:effectStyleLst><a:bgFillStyleLst>" + fill + fill + fill +
         "</a:bgFillStyleLst></a:fmtScheme></a:themeElements><a:objectDefaults/>"
         "<a:extraClrSchemeLst/></a:theme>";
  return xml;
}

std::string SlideMaster() {
  const std::string run_fonts =
      "<a:latin typeface=\"+mj-lt\"/><a:ea typeface=\"+mj-ea\"/>"
      "<a:cs typeface=\"+mj-cs\"/>";
  return std::string(kXmlHeader) + "<p:sldMaster" + kNamespaces +
         "><p:cSld><p:bg><p:bgRef "
         "idx=\"1001\"><a:schemeClr val=\"bg1\"/></p:bgRef></p:bg><p:spTree>" +
         kGroupProps +
         Placeholder(2, "Title Placeholder 1", "type=\"title\"",
                     Xfrm(838200, 365125, 10515600, 1325563), TextBody({})) +
         Placeholder(3, "Text Placeholder 2", "type=\"body\" idx=\"1\"",
                     Xfrm(838200, 1825625, 10515600, 4351338), TextBody({})) +
         "</p:spTree></p:cSld>" + kColorMap +
         "<p:sldLayoutIdLst><p:sldLayoutId id=\"2147483649\" r:id=\"rId1\"/></p:sldLayoutIdLst>"
         "<p:txStyles><p:titleStyle><a:lvl1pPr algn=\"l\"><a:defRPr sz=\"4000\" b=\"1\">"
         "<a:solidFill><a:schemeClr val=\"tx1\"/></a:solidFill>" +
         run_fonts +
         "</a:defRPr></a:lvl1pPr></p:titleStyle><p:bodyStyle><a:lvl1pPr marL=\"228600\" "
         "indent=\"-228600\"><a:buFont typeface=\"Arial\"/><a:buChar char=\"&#8226;\"/>"
         "<a:defRPr sz=\"2400\"><a:solidFill><a:schemeClr val=\"tx1\"/></a:solidFill>"
         "</a:defRPr></a:lvl1pPr></p:bodyStyle><p:otherStyle><a:defPPr><a:defRPr "
         "lang=\"en-US\"/></a:defPPr></p:otherStyle></p:txStyles></p:sldMaster>";
}

std::string SlideLayout() {
  return std::string(kXmlHeader) + "<p:sldLayout" + kNamespaces +
         " type=\"obj\" preserve=\"1\"><p:cSld name=\"Title and Content\"><p:spTree>" +
         kGroupProps + Placeholder(2, "Title 1", "type=\"title\"", "", TextBody({})) +
         Placeholder(3, "Content Placeholder 2", "idx=\"1\"", "", TextBody({})) +
         "</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>";
}

std::string NotesMaster() {
  return std::string(kXmlHeader) + "<p:notesMaster" + kNamespaces +
         "><p:cSld><p:bg><p:bgRef "
         "idx=\"1001\"><a:schemeClr val=\"bg1\"/></p:bgRef></p:bg><p:spTree>" +
         kGroupProps +
         Placeholder(2, "Slide Image Placeholder 1", "type=\"sldImg\" idx=\"2\"",
                     Xfrm(685800, 1143000, 5486400, 3086100), "") +
         Placeholder(3, "Notes Placeholder 2", "type=\"body\" sz=\"quarter\" idx=\"3\"",
                     Xfrm(685800, 4400550, 5486400, 3600450), TextBody({})) +
         "</p:spTree></p:cSld>" + kColorMap + "</p:notesMaster>";
}

std::string SlideXml(const Slide& slide) {
  return std::string(kXmlHeader) + "<p:sld" + kNamespaces + "><p:cSld><p:spTree>" + kGroupProps +
         Placeholder(2, "Title 1", "type=\"title\"", "", TextBody({slide.title})) +
         Placeholder(3, "Content Placeholder 2", "idx=\"1\"", "", TextBody(slide.bullets)) +
         "</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>";
}

std::string NotesXml(const Slide& slide) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    const size_t end = slide.notes.find('\n', start);
    lines.push_back(slide.notes.substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return std::string(kXmlHeader) + "<p:notes" + kNamespaces + "><p:cSld><p:spTree>" + kGroupProps +
         Placeholder(2, "Slide Image Placeholder 1", "type=\"sldImg\"", "", "") +
         Placeholder(3, "Notes Placeholder 2", "type=\"body\" idx=\"1\"", "", TextBody(lines)) +
         "</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:notes>";
}

}  // namespace

Status WritePptx(const std::filesystem::path& path, const std::string& title,
                 const std::vector<Slide>& slides) {
  const std::string pml = kPmlType;
  std::string types =
      std::string(kXmlHeader) +
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"rels\" "
      "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
      "<Override PartName=\"/ppt/presentation.xml\" ContentType=\"" +
      pml +
      "presentation.main+xml\"/><Override PartName=\"/ppt/slideMasters/slideMaster1.xml\" "
      "ContentType=\"" +
      pml +
      "slideMaster+xml\"/><Override "
      "PartName=\"/ppt/slideLayouts/slideLayout1.xml\" ContentType=\"" +
      pml +
      "slideLayout+xml\"/><Override PartName=\"/ppt/notesMasters/notesMaster1.xml\" "
      "ContentType=\"" +
      pml +
      "notesMaster+xml\"/>"
      "<Override PartName=\"/ppt/theme/theme1.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/>"
      "<Override PartName=\"/ppt/theme/theme2.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/>"
      "<Override PartName=\"/ppt/presProps.xml\" ContentType=\"" +
      pml +
      "presProps+xml\"/>"
      "<Override PartName=\"/ppt/viewProps.xml\" ContentType=\"" +
      pml +
      "viewProps+xml\"/>"
      "<Override PartName=\"/ppt/tableStyles.xml\" ContentType=\"" +
      pml +
      "tableStyles+xml\"/><Override PartName=\"/docProps/core.xml\" "
      "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
      "<Override PartName=\"/docProps/app.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.extended-properties+xml\"/>";

  // presentation.xml.rels: the fixed parts first (rId1-6), then one per slide.
  std::vector<Rel> presentation_rels = {
      {"slideMaster", "slideMasters/slideMaster1.xml"},
      {"notesMaster", "notesMasters/notesMaster1.xml"},
      {"theme", "theme/theme1.xml"},
      {"presProps", "presProps.xml"},
      {"viewProps", "viewProps.xml"},
      {"tableStyles", "tableStyles.xml"},
  };
  std::string slide_ids;
  std::vector<ZipEntry> slide_entries;
  for (size_t i = 0; i < slides.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    presentation_rels.push_back({"slide", "slides/slide" + n + ".xml"});
    slide_ids += "<p:sldId id=\"" + std::to_string(256 + i) + "\" r:id=\"rId" +
                 std::to_string(presentation_rels.size()) + "\"/>";
    types += "<Override PartName=\"/ppt/slides/slide" + n + ".xml\" ContentType=\"" + pml +
             "slide+xml\"/>";
    std::vector<Rel> slide_rels = {{"slideLayout", "../slideLayouts/slideLayout1.xml"}};
    if (!slides[i].notes.empty()) {
      slide_rels.push_back({"notesSlide", "../notesSlides/notesSlide" + n + ".xml"});
      types += "<Override PartName=\"/ppt/notesSlides/notesSlide" + n + ".xml\" ContentType=\"" +
               pml + "notesSlide+xml\"/>";
      slide_entries.push_back({"ppt/notesSlides/notesSlide" + n + ".xml", NotesXml(slides[i])});
      slide_entries.push_back({"ppt/notesSlides/_rels/notesSlide" + n + ".xml.rels",
                               Rels({{"notesMaster", "../notesMasters/notesMaster1.xml"},
                                     {"slide", "../slides/slide" + n + ".xml"}})});
    }
    slide_entries.push_back({"ppt/slides/slide" + n + ".xml", SlideXml(slides[i])});
    slide_entries.push_back({"ppt/slides/_rels/slide" + n + ".xml.rels", Rels(slide_rels)});
  }
  types += "</Types>";

  const std::string presentation =
      std::string(kXmlHeader) + "<p:presentation" + kNamespaces +
      " saveSubsetFonts=\"1\">"
      "<p:sldMasterIdLst><p:sldMasterId id=\"2147483648\" r:id=\"rId1\"/></p:sldMasterIdLst>"
      "<p:notesMasterIdLst><p:notesMasterId r:id=\"rId2\"/></p:notesMasterIdLst>"
      "<p:sldIdLst>" +
      slide_ids + "</p:sldIdLst>" + kSlideSize + kNotesSize +
      "<p:defaultTextStyle><a:defPPr><a:defRPr lang=\"en-US\"/></a:defPPr>"
      "</p:defaultTextStyle></p:presentation>";
  const std::string package_rels =
      std::string(kXmlHeader) +
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" Type=\"" +
      kRelType +
      "officeDocument\" "
      "Target=\"ppt/presentation.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas."
      "openxmlformats.org/package/2006/relationships/metadata/core-properties\" "
      "Target=\"docProps/core.xml\"/><Relationship Id=\"rId3\" Type=\"" +
      kRelType + "extended-properties\" Target=\"docProps/app.xml\"/></Relationships>";

  std::vector<ZipEntry> entries = {
      {"[Content_Types].xml", types},
      {"_rels/.rels", package_rels},
      {"ppt/presentation.xml", presentation},
      {"ppt/_rels/presentation.xml.rels", Rels(presentation_rels)},
      {"ppt/slideMasters/slideMaster1.xml", SlideMaster()},
      {"ppt/slideMasters/_rels/slideMaster1.xml.rels",
       Rels({{"slideLayout", "../slideLayouts/slideLayout1.xml"},
             {"theme", "../theme/theme1.xml"}})},
      {"ppt/slideLayouts/slideLayout1.xml", SlideLayout()},
      {"ppt/slideLayouts/_rels/slideLayout1.xml.rels",
       Rels({{"slideMaster", "../slideMasters/slideMaster1.xml"}})},
      {"ppt/notesMasters/notesMaster1.xml", NotesMaster()},
      {"ppt/notesMasters/_rels/notesMaster1.xml.rels", Rels({{"theme", "../theme/theme2.xml"}})},
      {"ppt/theme/theme1.xml", Theme()},
      {"ppt/theme/theme2.xml", Theme()},
      {"ppt/presProps.xml", std::string(kXmlHeader) + "<p:presentationPr" + kNamespaces + "/>"},
      {"ppt/viewProps.xml", std::string(kXmlHeader) + "<p:viewPr" + kNamespaces + "/>"},
      {"ppt/tableStyles.xml",
       std::string(kXmlHeader) +
           "<a:tblStyleLst xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
           "def=\"{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}\"/>"},
  };
  for (ZipEntry& entry : slide_entries) entries.push_back(std::move(entry));
  entries.push_back({"docProps/core.xml", internal::OoxmlCoreProps(title)});
  entries.push_back({"docProps/app.xml", internal::OoxmlAppProps("docent")});
  return WriteZip(path, entries);
}

}  // namespace docent::testing
