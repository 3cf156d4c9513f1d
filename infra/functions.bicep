// Functions shared by main.bicep and its modules (compile-time imports: nothing here is deployed).

@export()
@description('Inbound access rules of the function app (siteConfig.ipSecurityRestrictions): no ranges, no rules (open to all); otherwise one Allow rule per range, in order, and a final Deny for every other address.')
func ipSecurityRestrictions(allowedIpRanges string[]) object[] =>
  empty(allowedIpRanges)
    ? []
    : concat(
        map(allowedIpRanges, (range, i) => {
          name: 'allow-${i + 1}'
          ipAddress: range
          action: 'Allow'
          priority: 100 + i
        }),
        [
          {
            name: 'deny-all'
            ipAddress: 'Any'
            action: 'Deny'
            priority: 2147483647
          }
        ]
      )
