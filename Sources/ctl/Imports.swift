// Every file in ctl speaks Wire types.
@_exported import Wire
