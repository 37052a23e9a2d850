public enum CNIBenchVersion {
    public static let string = "0.1.0"
}
