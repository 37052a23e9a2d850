public enum CNIPacketPlaceholder {}
