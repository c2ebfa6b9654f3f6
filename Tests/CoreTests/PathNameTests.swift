import Core
import Testing

@Suite struct PathNameTests {
    @Test(arguments: [
        ("a/b/c.ctk", "a/b"), ("c.ctk", "."), ("b", "."), ("-", "."), ("/c", "/"), ("/", "/"),
        ("a/b/", "a"), ("./x", "."), ("a//b", "a"), ("/tmp/x/y.ctk", "/tmp/x"),
    ])
    func theFolderOfAPath(path: String, folder: String) {
        #expect(PathName.folder(of: path) == folder)
    }

    @Test(arguments: [("a/b/c.ctk", "c.ctk"), ("b", "b"), ("a/b/", "b"), ("/", "/"), ("-", "-")])
    func theLastComponent(path: String, last: String) {
        #expect(PathName.lastComponent(of: path) == last)
    }

    @Test func extensionsAreTakenOffTheNameOnly() {
        #expect(PathName.deletingExtension("call.wav") == "call")
        #expect(PathName.deletingExtension("a.b.c") == "a.b")
        #expect(PathName.deletingExtension(".hidden") == ".hidden")
        #expect(PathName.deletingExtension("x") == "x")
    }
}
