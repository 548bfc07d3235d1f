// Counts an XML document's elements by name, and proves it well formed (JUnit reports, the dashboard's SVG).
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

public final class ElementCounter: NSObject, XMLParserDelegate {
    public var counts: [String: Int] = [:]
    public func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        counts[name, default: 0] += 1
    }
    /// The element counts, or nil when the document is not well formed.
    public static func count(_ data: Data) -> [String: Int]? {
        let p = XMLParser(data: data), c = ElementCounter()
        p.delegate = c
        return p.parse() ? c.counts : nil
    }
}
