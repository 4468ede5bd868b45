/**
 * The ONNX IR (ir_version 1 to 11) as a protobufjs reflection descriptor: message names, field
 * numbers and wire types are those of the ONNX IR specification (onnx/onnx, docs/IR.md and the
 * protobuf schema it defines, proto2 syntax). Field names are camelCase here because they name the
 * properties of the decoded JavaScript objects; only the numbers and types reach the wire.
 * Repeated scalars are unpacked unless the specification marks them packed (TensorProto's data
 * fields), as proto2 writers do; readers accept both forms.
 * @module
 */
import type { INamespace } from 'protobufjs';

type Fields = Record<string, { id: number; type: string; rule?: 'repeated'; options?: { packed: boolean } }>;

const unpacked = { packed: false };
const packed = { packed: true };
const str = (id: number) => ({ id, type: 'string' });
const rep = (id: number, type: string, options?: { packed: boolean }) => (options ? { id, type, rule: 'repeated' as const, options } : { id, type, rule: 'repeated' as const });
const one = (id: number, type: string) => ({ id, type });

const entries = (id: number) => rep(id, 'StringStringEntryProto');

const AttributeProto: Fields = {
  name: str(1),
  refAttrName: str(21),
  docString: str(13),
  type: one(20, 'AttributeType'),
  f: one(2, 'float'),
  i: one(3, 'int64'),
  s: one(4, 'bytes'),
  t: one(5, 'TensorProto'),
  g: one(6, 'GraphProto'),
  sparseTensor: one(22, 'SparseTensorProto'),
  tp: one(14, 'TypeProto'),
  floats: rep(7, 'float', unpacked),
  ints: rep(8, 'int64', unpacked),
  strings: rep(9, 'bytes'),
  tensors: rep(10, 'TensorProto'),
  graphs: rep(11, 'GraphProto'),
  sparseTensors: rep(23, 'SparseTensorProto'),
  typeProtos: rep(15, 'TypeProto'),
};

const TensorProto: Fields = {
  dims: rep(1, 'int64', unpacked),
  dataType: one(2, 'int32'),
  segment: one(3, 'Segment'),
  floatData: rep(4, 'float', packed),
  int32Data: rep(5, 'int32', packed),
  stringData: rep(6, 'bytes'),
  int64Data: rep(7, 'int64', packed),
  name: str(8),
  docString: str(12),
  rawData: one(9, 'bytes'),
  externalData: entries(13),
  dataLocation: one(14, 'DataLocation'),
  doubleData: rep(10, 'double', packed),
  uint64Data: rep(11, 'uint64', packed),
  metadataProps: entries(16),
};

const tensorShape = { elemType: one(1, 'int32'), shape: one(2, 'TensorShapeProto') };

/** The descriptor handed to protobufjs' Root.fromJSON (package `onnx`); see `proto2` below. */
export const onnxSchema: INamespace = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: AttributeProto,
          nested: {
            AttributeType: {
              values: { UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, SPARSE_TENSOR: 11, TYPE_PROTO: 13, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10, SPARSE_TENSORS: 12, TYPE_PROTOS: 14 },
            },
          },
        },
        ValueInfoProto: { fields: { name: str(1), type: one(2, 'TypeProto'), docString: str(3), metadataProps: entries(4) } },
        NodeProto: {
          fields: {
            input: rep(1, 'string'),
            output: rep(2, 'string'),
            name: str(3),
            opType: str(4),
            domain: str(7),
            overload: str(8),
            attribute: rep(5, 'AttributeProto'),
            docString: str(6),
            metadataProps: entries(9),
            deviceConfigurations: rep(10, 'NodeDeviceConfigurationProto'),
          },
        },
        IntIntListEntryProto: { fields: { key: one(1, 'int64'), value: rep(2, 'int64', unpacked) } },
        NodeDeviceConfigurationProto: { fields: { configurationId: str(1), shardingSpec: rep(2, 'ShardingSpecProto'), pipelineStage: one(3, 'int32') } },
        ShardingSpecProto: {
          fields: { tensorName: str(1), device: rep(2, 'int64', unpacked), indexToDeviceGroupMap: rep(3, 'IntIntListEntryProto'), shardedDim: rep(4, 'ShardedDimProto') },
        },
        ShardedDimProto: { fields: { axis: one(1, 'int64'), simpleSharding: rep(2, 'SimpleShardedDimProto') } },
        SimpleShardedDimProto: {
          oneofs: { dim: { oneof: ['dimValue', 'dimParam'] } },
          fields: { dimValue: one(1, 'int64'), dimParam: str(2), numShards: one(3, 'int64') },
        },
        TrainingInfoProto: {
          fields: { initialization: one(1, 'GraphProto'), algorithm: one(2, 'GraphProto'), initializationBinding: entries(3), updateBinding: entries(4) },
        },
        ModelProto: {
          fields: {
            irVersion: one(1, 'int64'),
            opsetImport: rep(8, 'OperatorSetIdProto'),
            producerName: str(2),
            producerVersion: str(3),
            domain: str(4),
            modelVersion: one(5, 'int64'),
            docString: str(6),
            graph: one(7, 'GraphProto'),
            metadataProps: entries(14),
            trainingInfo: rep(20, 'TrainingInfoProto'),
            functions: rep(25, 'FunctionProto'),
            configuration: rep(26, 'DeviceConfigurationProto'),
          },
        },
        DeviceConfigurationProto: { fields: { name: str(1), numDevices: one(2, 'int32'), device: rep(3, 'string') } },
        StringStringEntryProto: { fields: { key: str(1), value: str(2) } },
        TensorAnnotation: { fields: { tensorName: str(1), quantParameterTensorNames: entries(2) } },
        GraphProto: {
          fields: {
            node: rep(1, 'NodeProto'),
            name: str(2),
            initializer: rep(5, 'TensorProto'),
            sparseInitializer: rep(15, 'SparseTensorProto'),
            docString: str(10),
            input: rep(11, 'ValueInfoProto'),
            output: rep(12, 'ValueInfoProto'),
            valueInfo: rep(13, 'ValueInfoProto'),
            quantizationAnnotation: rep(14, 'TensorAnnotation'),
            metadataProps: entries(16),
          },
        },
        TensorProto: {
          fields: TensorProto,
          nested: {
            Segment: { fields: { begin: one(1, 'int64'), end: one(2, 'int64') } },
            DataLocation: { values: { DEFAULT: 0, EXTERNAL: 1 } },
          },
        },
        SparseTensorProto: { fields: { values: one(1, 'TensorProto'), indices: one(2, 'TensorProto'), dims: rep(3, 'int64', unpacked) } },
        TensorShapeProto: {
          fields: { dim: rep(1, 'Dimension') },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: { dimValue: one(1, 'int64'), dimParam: str(2), denotation: str(3) },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType', 'sequenceType', 'mapType', 'optionalType', 'sparseTensorType', 'opaqueType'] } },
          fields: {
            tensorType: one(1, 'Tensor'),
            sequenceType: one(4, 'Sequence'),
            mapType: one(5, 'Map'),
            optionalType: one(9, 'Optional'),
            sparseTensorType: one(8, 'SparseTensor'),
            opaqueType: one(7, 'Opaque'),
            denotation: str(6),
          },
          nested: {
            Tensor: { fields: tensorShape },
            Sequence: { fields: { elemType: one(1, 'TypeProto') } },
            Map: { fields: { keyType: one(1, 'int32'), valueType: one(2, 'TypeProto') } },
            Optional: { fields: { elemType: one(1, 'TypeProto') } },
            SparseTensor: { fields: tensorShape },
            Opaque: { fields: { domain: str(1), name: str(2) } },
          },
        },
        OperatorSetIdProto: { fields: { domain: str(1), version: one(2, 'int64') } },
        FunctionProto: {
          fields: {
            name: str(1),
            input: rep(4, 'string'),
            output: rep(5, 'string'),
            attribute: rep(6, 'string'),
            attributeProto: rep(11, 'AttributeProto'),
            node: rep(7, 'NodeProto'),
            docString: str(8),
            opsetImport: rep(9, 'OperatorSetIdProto'),
            domain: str(10),
            overload: str(13),
            valueInfo: rep(12, 'ValueInfoProto'),
            metadataProps: entries(14),
          },
        },
      },
    },
  },
};

// proto2 semantics (explicit presence: a field written with its default value is kept; repeated
// scalars unpacked unless marked packed): protobufjs takes the edition per top-level type.
for (const t of Object.values((onnxSchema.nested as Record<string, INamespace>).onnx.nested as Record<string, { edition?: string }>)) t.edition = 'proto2';
