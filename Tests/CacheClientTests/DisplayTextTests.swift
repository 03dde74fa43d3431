import Testing
@testable import CacheClient

@Suite struct DisplayTextTests {
    @Test(arguments: [
        ("plain key:1", "plain key:1"),
        ("記事:一 ☕ café", "記事:一 ☕ café"),
        ("a\nb\r\tc", #"a\nb\r\tc"#),
        ("\u{1B}[31mred\u{1B}[0m", #"\u{1B}[31mred\u{1B}[0m"#),
        ("\u{FEFF}key", #"\u{FEFF}key"#),
        ("zero\u{200B}width", #"zero\u{200B}width"#),
        ("rtl\u{202E}txt", #"rtl\u{202E}txt"#),
        ("nbsp\u{00A0}x", #"nbsp\u{A0}x"#),
        ("c1\u{9B}31m", #"c1\u{9B}31m"#),
        ("bell\u{07}del\u{7F}", #"bell\u{7}del\u{7F}"#),
        ("line\u{2028}sep", #"line\u{2028}sep"#),
    ])
    func escapesWhatATerminalWouldHideOrObey(text: String, shown: String) {
        #expect(DisplayText.escaped(text) == shown)
        #expect(DisplayText.escaped(shown) == shown, "escaping twice adds nothing")
        #expect(DisplayText.quoted(text) == "\"" + shown + "\"")
    }

    @Test(arguments: [("tll", "ttl"), ("Key", "key"), ("tag", "tags"), ("vaule", "value"), ("value_base46", "value_base64"),
                      ("valu", "value"), ("keys", "key")])
    func suggestsTheKnownFieldANearMissMeant(typed: String, meant: String) {
        #expect(NameSuggestion.closest(to: typed, among: EntryJSON.fieldNames) == meant)
    }

    @Test(arguments: ["id", "source", "type", "name", "expires", "key", "ttl", "category", "hits"])
    func leavesUnrelatedNamesAlone(name: String) {
        #expect(NameSuggestion.closest(to: name, among: EntryJSON.fieldNames) == nil)
    }
}
