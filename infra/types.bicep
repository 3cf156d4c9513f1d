// Types shared by main.bicep and its modules (compile-time imports: nothing here is deployed). An object
// parameter with a type is checked where it is passed and where it is read, by Bicep at build time and by
// ARM at deployment; an untyped `object` is checked nowhere.

@export()
@description('Resource tags: names and values are strings.')
type Tags = {
  *: string
}

@export()
@sealed()
@description('Key Vault secret names, keyed by the app setting each secret feeds (that setting becomes a Key Vault reference to it).')
type KeyVaultSecretNames = {
  @description('Secret for AI__ApiKey.')
  @minLength(1)
  @maxLength(127)
  AI__ApiKey: string

  @description('Secret for Exchange__Binance__ApiKey.')
  @minLength(1)
  @maxLength(127)
  Exchange__Binance__ApiKey: string

  @description('Secret for Exchange__Binance__ApiSecret.')
  @minLength(1)
  @maxLength(127)
  Exchange__Binance__ApiSecret: string
}

@export()
@description('App settings by name; every value is a string.')
type AppSettings = {
  *: string
}
