@_exported import Wire
