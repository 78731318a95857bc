// ldapjs's codec packages ship no types; the codec tests use them only to encode requests.
declare module '@ldapjs/messages';
declare module '@ldapjs/filter';
