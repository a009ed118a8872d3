// Every file in the kubelet speaks Wire types.
@_exported import Wire
