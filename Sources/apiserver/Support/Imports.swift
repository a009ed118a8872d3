// Every file in the apiserver speaks Wire types.
@_exported import Wire
