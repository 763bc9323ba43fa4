/// The version `livegate --version` prints and `livegate_build_info` carries; its minor follows the wire
/// contract's (v1.2).
public enum LiveGateVersion {
    public static let current = "1.2.0"
}
